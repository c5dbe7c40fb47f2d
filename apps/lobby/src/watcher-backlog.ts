import type { SequenceWriter } from '@msc/eventual';
import type { LauncherEvent } from './contracts.ts';
import { KeyCounts } from './key-counts.ts';
import { LobbyError } from './lobby-error.ts';
import type { LobbyLimits } from './lobby-limits.ts';

/*
 * What a launcher's watchers make the server hold, bounded in items and bytes per watcher and in
 * bytes across the whole lobby.
 *
 * The guard must not trust the window the watcher's consumer declared: a remote consumer sets
 * the sequence's `capacity` itself, and the old guard (`desiredSize < -256`) let a watcher that
 * declared a huge capacity pile up events without bound. So each watcher keeps the sizes of the
 * events it wrote, in write order, and asks its writer how many are still unread
 * (`SequenceWriter.unread`: written and not yet taken by the consumer or the session carrying the
 * stream, whatever the window). Events are taken in write order, so the oldest sizes beyond that
 * count were taken: the items and bytes waiting are exact, whatever the capacity. Counts are brought
 * up to date at each write (and, for all watchers, before the lobby-wide limit refuses one), so a
 * count read between writes may be high, never low. The writer's `whenEnded()` tells when the
 * stream ended (cancelled by its consumer, aborted when its session ended), and the watcher then
 * leaves its game, so a stream that ended never counts against a limit.
 *
 * Events taken by a session are its connection's to hold (bounded per session by
 * `maxBufferedBytes`, and across sessions by the server's output budget); what is counted here is
 * what the lobby itself holds.
 */

/** The lobby-wide count: every watcher's waiting bytes, and the watchers (in all, and per key). */
export class BacklogBudget {
  readonly limits: LobbyLimits;
  readonly watchers = new Set<Watcher>();
  /** Watchers per key (player fingerprint), for `maxWatchersPerPlayer`; keys with none are forgotten. */
  readonly #byKey = new KeyCounts();
  /** Bytes waiting in all watchers (each watcher's as of its last count). */
  bytes = 0;
  #settledAt = Number.NEGATIVE_INFINITY;
  #writesSinceSettle = 0;

  constructor(limits: LobbyLimits) {
    this.limits = limits;
  }

  /**
   * Brings every watcher's count up to date before the lobby-wide limit refuses a write. It costs a
   * step per watcher, so a lobby held at that limit does not pay it at every write: it runs when as
   * many writes as there are watchers were counted since the last time (amortised, one step per
   * write), or {@link settleAllIntervalMs} have passed.
   */
  settleAll(): void {
    const now = performance.now();
    if (this.#writesSinceSettle < this.watchers.size && now - this.#settledAt < settleAllIntervalMs) return;
    this.#settledAt = now;
    this.#writesSinceSettle = 0;
    for (const watcher of this.watchers) watcher.settle();
  }

  /** Watchers open now by the player `key`, in all games. */
  watchersOf(key: string): number {
    return this.#byKey.of(key);
  }

  /** @internal a watcher started */
  added(watcher: Watcher): void {
    this.watchers.add(watcher);
    if (watcher.key !== undefined) this.#byKey.add(watcher.key);
  }

  /** @internal a watcher ended */
  removed(watcher: Watcher): void {
    if (this.watchers.delete(watcher) && watcher.key !== undefined) this.#byKey.remove(watcher.key);
  }

  /** @internal a watcher counted a write */
  counted(): void {
    this.#writesSinceSettle++;
  }
}

/** How long a lobby held at `maxBacklogBytes` may go without a fresh count of all watchers, in milliseconds. */
const settleAllIntervalMs = 50;

/** One `events()` stream of a launcher, with its backlog counted. */
export class Watcher {
  /** The key (player fingerprint) that opened it; none for in-process watchers of tests and tools. */
  readonly key: string | undefined;
  readonly #writer: SequenceWriter<LauncherEvent>;
  readonly #budget: BacklogBudget;
  readonly #onEnd: (watcher: Watcher) => void;
  /** Sizes of the events written and not yet taken, oldest first (from `#head`). */
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #ended = false;

  /**
   * @param onEnd - called once when the stream ends by itself (its consumer cancelled, or its
   *   session ended), so its game stops writing to it
   * @param key - the player (fingerprint) it counts against
   */
  constructor(
    writer: SequenceWriter<LauncherEvent>,
    budget: BacklogBudget,
    onEnd: (watcher: Watcher) => void,
    key?: string,
  ) {
    this.key = key;
    this.#writer = writer;
    this.#budget = budget;
    this.#onEnd = onEnd;
    budget.added(this);
    void writer.whenEnded().then(() => {
      if (this.#ended) return;
      this.#release();
      this.#onEnd(this);
    });
  }

  /** Events waiting (as of the last count, see {@link settle}). */
  get waitingItems(): number {
    return this.#sizes.length - this.#head;
  }

  /** Bytes waiting (as of the last count). */
  get waitingBytes(): number {
    return this.#bytes;
  }

  /**
   * Writes `event` (of about `size` bytes).
   *
   * @throws LobbyError `limit` when this watcher, or all of them, would hold too much: the caller
   *   ends the watcher with it
   * @throws what the writer throws (the consumer cancelled, the session ended)
   */
  write(event: LauncherEvent, size: number): void {
    const { limits } = this.#budget;
    this.settle();
    if (
      this.waitingItems + 1 > limits.maxWatcherBacklogItems ||
      this.#bytes + size > limits.maxWatcherBacklogBytes
    ) {
      throw new LobbyError(
        'limit',
        `the watcher fell behind: ${this.waitingItems} events (${this.#bytes} bytes) are waiting to be read ` +
          `(maxWatcherBacklogItems ${limits.maxWatcherBacklogItems}, maxWatcherBacklogBytes ${limits.maxWatcherBacklogBytes}); read faster or watch again`,
      );
    }
    if (this.#budget.bytes + size > limits.maxBacklogBytes) {
      // Other watchers' counts may be high (they settle at their own writes): settle them first.
      this.#budget.settleAll();
    }
    if (this.#budget.bytes + size > limits.maxBacklogBytes) {
      throw new LobbyError(
        'limit',
        `the lobby's watchers hold ${this.#budget.bytes} bytes not yet read (maxBacklogBytes ${limits.maxBacklogBytes}); watch again later`,
      );
    }
    // A local consumer may take the event inside write(): the next settle() sees it as taken.
    this.#sizes.push(size);
    this.#bytes += size;
    this.#budget.bytes += size;
    this.#budget.counted();
    this.#writer.write(event);
  }

  /** Ends the watcher with `error` (aborting its stream), or closes it normally without one. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#release();
    if (error === undefined) void this.#writer.close().catch(() => {});
    else this.#writer.abort(error);
  }

  /** Forgets the events the consumer (or the session carrying them) has taken since the last count. */
  settle(): void {
    if (this.#ended) return;
    const taken = this.waitingItems - this.#writer.unread;
    for (let index = 0; index < taken; index++) {
      const size = this.#sizes[this.#head++]!;
      this.#bytes -= size;
      this.#budget.bytes -= size;
    }
    if (this.#head > 64 && this.#head * 2 > this.#sizes.length) {
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }

  #release(): void {
    this.#ended = true;
    this.#budget.removed(this);
    this.#budget.bytes -= this.#bytes;
    this.#bytes = 0;
    this.#sizes = [];
    this.#head = 0;
  }
}

/** An estimate of an event's encoded size in bytes (its JSON length: close to CBOR's, never far below). */
export function eventSize(event: unknown): number {
  return JSON.stringify(event).length;
}
