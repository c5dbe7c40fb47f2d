import { LobbyError } from './lobby-error.ts';
import type { LobbyLimits } from './lobby-limits.ts';
import { type Clock, TokenBucket } from './token-bucket.ts';

/*
 * Rate limits on what a player makes every watcher of a game receive (chat lines, settings
 * changes, joins and leaves). Each event a player causes is written to every watcher of the game, so one player
 * saying 1,300 lines a second made the server drop honest watchers that could not read that fast.
 * A token bucket per launcher (one player's seat in one game) and one per player (one key, across
 * all its launchers and sessions) bound it: a game has at most 4 slots, so what its watchers must
 * read is bounded whoever floods it.
 *
 * Joins and leaves: each one is an event to every watcher and a new LSN, so a stranger cycling a
 * spectator slot once flooded the watchers and kept the host's `tryLaunch` failing with
 * `stale-lsn`. A leave cannot be refused (letting go of a membership frees the slot whatever the
 * rate), so a join pays for the leave it will cause: it takes two tokens (see `joinCost`).
 *
 * A refused call takes no token: refusals are cheap (a clock read and a comparison), and a
 * flooding client does not push back its own next allowed call. Calls refused for other reasons
 * (not joined, a conflict, a slot taken) do take theirs: they cost the server too.
 */

/** An action the lobby limits the rate of (`seat`: a join, and the leave it will cause). */
export type LimitedAction = 'chat' | 'settings' | 'seat';

/** Tokens a join takes: its own event, and the `left` event its membership's end will cause. */
export const joinCost = 2;

/** How a refusal names an action and its limits. */
interface RateRule {
  /** The action, plural (`chat lines`). */
  readonly what: string;
  readonly rateLimit: keyof LobbyLimits;
  readonly burstLimit: keyof LobbyLimits;
}

const launcherRules: Readonly<Record<LimitedAction, RateRule>> = {
  chat: { what: 'chat lines', rateLimit: 'chatLinesPerSecond', burstLimit: 'chatBurst' },
  settings: {
    what: 'settings changes',
    rateLimit: 'settingsChangesPerSecond',
    burstLimit: 'settingsBurst',
  },
  seat: {
    what: 'joins and leaves (a join counts 2: itself and its leave)',
    rateLimit: 'seatChangesPerSecond',
    burstLimit: 'seatChangesBurst',
  },
};

const playerRule: RateRule = {
  what: 'chat lines, settings changes, joins and leaves',
  rateLimit: 'playerActionsPerSecond',
  burstLimit: 'playerActionBurst',
};

/**
 * The lobby's rate limits: one bucket per player (key) for chat lines, settings changes, joins
 * and leaves together, across all its launchers and sessions, and a bucket per action for each launcher
 * ({@link LauncherRates}).
 */
export class LobbyRateLimits {
  readonly limits: LobbyLimits;
  readonly #clock: Clock;
  readonly #players: BucketsByKey;

  constructor(limits: LobbyLimits, clock?: Clock) {
    this.limits = limits;
    this.#clock = clock ?? (() => performance.now());
    this.#players = new BucketsByKey(() => this.#bucket(playerRule));
  }

  /** The rate limits of a new launcher of the player `fingerprint`. */
  launcher(fingerprint: string): LauncherRates {
    return new LauncherRates(this, fingerprint, {
      chat: this.#bucket(launcherRules.chat),
      settings: this.#bucket(launcherRules.settings),
      seat: this.#bucket(launcherRules.seat),
    });
  }

  /** Players with a bucket now (those who acted recently). */
  get players(): number {
    return this.#players.size;
  }

  /** @internal for {@link LauncherRates} */
  player(fingerprint: string): TokenBucket {
    return this.#players.get(fingerprint);
  }

  #bucket(rule: RateRule): TokenBucket {
    return new TokenBucket(this.limits[rule.rateLimit], this.limits[rule.burstLimit], this.#clock);
  }
}

/** One launcher's rate limits (its own buckets, and its player's). */
export class LauncherRates {
  readonly #lobby: LobbyRateLimits;
  readonly #fingerprint: string;
  readonly #buckets: Readonly<Record<LimitedAction, TokenBucket>>;

  constructor(
    lobby: LobbyRateLimits,
    fingerprint: string,
    buckets: Readonly<Record<LimitedAction, TokenBucket>>,
  ) {
    this.#lobby = lobby;
    this.#fingerprint = fingerprint;
    this.#buckets = buckets;
  }

  /**
   * Counts one `action` of `cost` tokens (default 1) against this launcher's and its player's
   * limits, or refuses it (counting nothing: a refused call takes no token, so a flood does not
   * push back the next allowed call). A cost above a bucket's burst takes the whole burst, so that
   * a small burst override cannot refuse the action for ever.
   *
   * @throws LobbyError `limit` naming the limit hit and how long to wait before the next call
   */
  take(action: LimitedAction, cost = 1): void {
    const checks: [TokenBucket, RateRule, string][] = [
      [this.#buckets[action], launcherRules[action], 'a launcher'],
      [this.#lobby.player(this.#fingerprint), playerRule, 'a player'],
    ];
    for (const [bucket, rule, scope] of checks) {
      const wait = bucket.waitMs(Math.min(cost, bucket.burst));
      if (wait > 0) {
        throw new LobbyError(
          'limit',
          `too many ${rule.what}: ${scope} may send ${bucket.ratePerSecond} a second (${rule.rateLimit}) in bursts of ${bucket.burst} (${rule.burstLimit}); wait ${wait} ms`,
        );
      }
    }
    for (const [bucket] of checks) bucket.take(Math.min(cost, bucket.burst));
  }
}

/**
 * Token buckets by key (a player's fingerprint), made on first use. A full bucket is the same as a
 * new one, so full buckets are forgotten whenever the map has doubled since the last sweep: the map
 * holds only players who acted recently, however many keys come and go.
 */
class BucketsByKey {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #make: () => TokenBucket;
  #sweepAt = 1_024;

  constructor(make: () => TokenBucket) {
    this.#make = make;
  }

  /** The bucket of `key`. */
  get(key: string): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#sweepAt) this.#sweep();
      bucket = this.#make();
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  get size(): number {
    return this.#buckets.size;
  }

  #sweep(): void {
    for (const [key, bucket] of this.#buckets) if (bucket.full) this.#buckets.delete(key);
    this.#sweepAt = Math.max(1_024, this.#buckets.size * 2);
  }
}
