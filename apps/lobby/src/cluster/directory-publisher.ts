import type { Redis } from 'ioredis';
import type { GameSummary } from '../contracts.ts';
import { gameEntryText } from './directory-entry.ts';
import type { DirectoryKeys } from './directory-keys.ts';
import { writeGameScript } from './directory-scripts.ts';

/** Options of {@link DirectoryPublisher}. */
export interface DirectoryPublisherOptions {
  readonly redis: Redis;
  readonly keys: DirectoryKeys;
  readonly node: string;
  readonly maxlen: number;
  /** The node's current epoch (`undefined` while it is not registered). */
  readonly epoch: () => number | undefined;
  /** The summary of a listed game of this node, or `undefined` when it is no longer listed. */
  readonly summary: (id: string) => GameSummary | undefined;
  /** The request key of a game of this node created with one (see `requestKey`). */
  readonly request: (id: string) => string | undefined;
  /** A write was fenced: the lease is gone (the node registers again, then republishes). */
  readonly fenced: () => void;
  readonly log: (line: string) => void;
  /** How long changes are gathered before they are written, ms. Default 20. */
  readonly batchMs?: number;
}

/**
 * Publishes this node's games to the directory, in the background: the lobby marks a game dirty
 * (created, changed, unlisted) and goes on; a flush writes the latest summary of every dirty game
 * (or deletes it) through the fenced write script. Nothing waits for it. While Redis cannot be
 * reached, or the node holds no epoch, dirty ids wait (at most one per game, so the set is
 * bounded by the lobby's games) and are retried; after a new registration `republish` marks every
 * listed game dirty again.
 */
export class DirectoryPublisher {
  readonly #options: DirectoryPublisherOptions;
  readonly #dirty = new Set<string>();
  /** Why each unlisted game went (written with its delete). */
  readonly #why = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #flushing = false;
  #closed = false;

  constructor(options: DirectoryPublisherOptions) {
    this.#options = options;
  }

  /** Games waiting to be written. */
  get pending(): number {
    return this.#dirty.size;
  }

  /** Marks a game to be written (its latest state) or deleted (when no longer listed, saying `why`). */
  mark(id: string, why?: string): void {
    if (this.#closed) return;
    this.#dirty.add(id);
    if (why !== undefined) this.#why.set(id, why);
    this.#schedule(this.#options.batchMs ?? 20);
  }

  /** Marks every game in `ids` (after a registration under a new epoch). */
  republish(ids: Iterable<string>): void {
    for (const id of ids) this.mark(id);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, delayMs);
    this.#timer.unref();
  }

  async #flush(): Promise<void> {
    if (this.#flushing || this.#closed) return;
    const epoch = this.#options.epoch();
    if (epoch === undefined) return this.#schedule(250);
    this.#flushing = true;
    const { redis, keys, node, maxlen } = this.#options;
    const ids = [...this.#dirty].slice(0, 256);
    for (const id of ids) this.#dirty.delete(id);
    try {
      const pipeline = redis.pipeline();
      for (const id of ids) {
        const summary = this.#options.summary(id);
        pipeline.eval(
          writeGameScript,
          4,
          keys.lease(node),
          keys.owned(node),
          keys.games,
          keys.events,
          String(epoch),
          id,
          summary === undefined ? '' : gameEntryText(summary, node, epoch, this.#options.request(id)),
          this.#why.get(id) ?? 'it was unlisted',
          String(maxlen),
          `.${node}`,
        );
      }
      const results = (await pipeline.exec()) ?? [];
      let fenced = false;
      results.forEach(([error, result], index) => {
        const id = ids[index] as string;
        if (error !== null || result !== 1) this.#dirty.add(id);
        else if (this.#options.summary(id) === undefined) this.#why.delete(id);
        if (result === 0) fenced = true;
      });
      if (fenced) {
        this.#options.log(`node ${node}: a write under epoch ${epoch} was fenced; registering again`);
        this.#options.fenced();
      }
    } catch (error) {
      for (const id of ids) this.#dirty.add(id);
      this.#options.log(
        `node ${node}: could not publish: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.#flushing = false;
    }
    if (this.#dirty.size > 0) this.#schedule(ids.length === 256 ? 0 : 250);
  }
}
