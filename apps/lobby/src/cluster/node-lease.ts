import type { Redis } from 'ioredis';
import type { DirectoryKeys } from './directory-keys.ts';
import { registerScript, renewScript } from './directory-scripts.ts';

/** Options of {@link NodeLease}. */
export interface NodeLeaseOptions {
  readonly redis: Redis;
  readonly keys: DirectoryKeys;
  /** The node's name (unique in the cluster). */
  readonly node: string;
  /** The record's JSON without its epoch (see `nodeRecordTail`). */
  readonly recordTail: string;
  /** How long a lease lives without renewal, ms. */
  readonly leaseMs: number;
  /** The stream's approximate cap. */
  readonly maxlen: number;
  /** Called with the new epoch after each registration (the first, and after a lost lease). */
  readonly registered: (epoch: number) => void;
  /** A line for each registration, loss and Redis error. */
  readonly log: (line: string) => void;
}

/**
 * A node's lease in the directory: registered under a fresh epoch, renewed every third of its
 * life by a script that checks the epoch. When a renewal finds the lease gone (the node was frozen
 * or cut off longer than the lease, and the reaper removed its games), the node registers again
 * under a new epoch; `registered` then lets it publish its live games again. While Redis cannot be
 * reached the node keeps its epoch and retries: its games run on regardless.
 */
export class NodeLease {
  readonly #options: NodeLeaseOptions;
  #epoch: number | undefined;
  /** The last epoch ever held (kept when the lease is lost: the next one must be greater). */
  #lastEpoch = 0;
  /** `performance.now()` until which the lease is known to be held (start of the last renewal + lease). */
  #heldUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  #closed = false;
  #lastError = '';

  constructor(options: NodeLeaseOptions) {
    this.#options = options;
  }

  /** The epoch the node registered under last (`undefined` before its first registration). */
  get epoch(): number | undefined {
    return this.#epoch;
  }

  /** Whether the lease is held as far as this node can tell (renewed within the lease time). */
  get held(): boolean {
    return this.#epoch !== undefined && performance.now() < this.#heldUntil;
  }

  /** Starts registering and renewing. */
  start(): void {
    const period = Math.max(50, Math.floor(this.#options.leaseMs / 3));
    this.#timer = setInterval(() => void this.tick(), period);
    this.#timer.unref();
    void this.tick();
  }

  /** Forgets the epoch: the next tick registers again (a write found the node fenced). */
  lost(): void {
    this.#epoch = undefined;
    void this.tick();
  }

  /** One registration or renewal attempt (never throws). */
  async tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    const { redis, keys, node, leaseMs } = this.#options;
    const started = performance.now();
    try {
      if (this.#epoch !== undefined) {
        const renewed = await redis.eval(
          renewScript,
          1,
          keys.lease(node),
          String(this.#epoch),
          String(leaseMs),
        );
        if (renewed === 1) this.#heldUntil = started + leaseMs;
        else {
          this.#options.log(`node ${node}: lease of epoch ${this.#epoch} was lost; registering again`);
          this.#epoch = undefined;
        }
      }
      if (this.#epoch === undefined && !this.#closed) {
        const epoch = Number(
          await redis.eval(
            registerScript,
            4,
            keys.epoch,
            keys.nodes,
            keys.games,
            keys.events,
            keys.prefix,
            node,
            String(leaseMs),
            this.#options.recordTail,
            String(this.#options.maxlen),
            String(this.#lastEpoch + 1),
          ),
        );
        this.#epoch = epoch;
        this.#lastEpoch = epoch;
        this.#heldUntil = started + leaseMs;
        this.#options.log(`node ${node}: registered under epoch ${epoch}`);
        this.#options.registered(epoch);
      }
      this.#lastError = '';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.#lastError) this.#options.log(`node ${node}: directory unreachable: ${message}`);
      this.#lastError = message;
    } finally {
      this.#ticking = false;
    }
  }

  /** Stops renewing (the lease then expires by itself; `release` removes it at once). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  /** Removes the lease now if it is still this epoch's (a clean shutdown), so the reaper unlists at once. */
  async release(): Promise<void> {
    const epoch = this.#epoch;
    if (epoch === undefined) return;
    const { redis, keys, node } = this.#options;
    await redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
      1,
      keys.lease(node),
      String(epoch),
    );
  }
}
