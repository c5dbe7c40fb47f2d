import type { Redis } from 'ioredis';
import type { DirectoryKeys } from './directory-keys.ts';
import { reapScript } from './directory-scripts.ts';

/**
 * Removes from the directory every node whose lease expired, with its games, each with a `del` item
 * saying why (the mirrors pass it on). Every node runs one; the script is idempotent. It runs every
 * quarter lease (at most every 500 ms), so a dead node's games leave every list within about the
 * lease plus that period. Failures (Redis down) are retried at the next period, silently: the
 * lease and mirror already say Redis is unreachable.
 */
export class DirectoryReaper {
  readonly #redis: Redis;
  readonly #keys: DirectoryKeys;
  readonly #maxlen: number;
  readonly #periodMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(redis: Redis, keys: DirectoryKeys, leaseMs: number, maxlen: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#maxlen = maxlen;
    this.#periodMs = Math.max(50, Math.min(500, Math.floor(leaseMs / 4)));
  }

  start(): void {
    this.#timer = setInterval(() => void this.reap(), this.#periodMs);
    this.#timer.unref();
  }

  /** One pass; resolves with the number of nodes removed (0 when Redis cannot be reached). */
  async reap(): Promise<number> {
    if (this.#running) return 0;
    this.#running = true;
    try {
      const keys = this.#keys;
      return Number(
        await this.#redis.eval(
          reapScript,
          3,
          keys.nodes,
          keys.games,
          keys.events,
          keys.prefix,
          String(this.#maxlen),
        ),
      );
    } catch {
      return 0;
    } finally {
      this.#running = false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
