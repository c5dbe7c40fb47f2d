import { LobbyError } from './lobby-error.ts';
import type { LobbyLimits } from './lobby-limits.ts';
import { type Clock, TokenBucket } from './token-bucket.ts';

/*
 * The rate limit on what one session asks the lobby for itself (`listGames` pages). Each page
 * answer is a few kilobytes the server builds and encodes on its one thread: two sessions that sent
 * 3,000 page requests in one burst (and never read) kept the event loop busy for seconds, and every
 * other session waited. A token bucket per session bounds the work one session can queue; calls past
 * it are refused with `LobbyError` `limit` (a short answer, no page built) and take no token, as in
 * `rate-limit.ts`. The bucket is per session, not per key: a player with a new session starts full,
 * but each session costs a handshake, and `maxPendingSessions` bounds those.
 */

/**
 * One session's rate limit on `listGames`: `listGamesPerSecond` pages a second in bursts of
 * `listGamesBurst` (enough to walk 1,000 open games a default page at a time at once).
 */
export class SessionRates {
  readonly #lists: TokenBucket;

  constructor(limits: LobbyLimits, clock?: Clock) {
    this.#lists = new TokenBucket(limits.listGamesPerSecond, limits.listGamesBurst, clock);
  }

  /**
   * Counts one `listGames` call, or refuses it (counting nothing).
   *
   * @throws LobbyError `limit` naming the limit and how long to wait before the next call
   */
  takeList(): void {
    const wait = this.#lists.waitMs();
    if (wait > 0) {
      throw new LobbyError(
        'limit',
        `too many listGames calls: a session may ask for ${this.#lists.ratePerSecond} pages a second (listGamesPerSecond) in bursts of ${this.#lists.burst} (listGamesBurst); wait ${wait} ms`,
      );
    }
    this.#lists.take();
  }
}
