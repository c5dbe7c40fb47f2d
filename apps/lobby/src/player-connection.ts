/*
 * Where a player's session is, as the lobby tells the other seats of its games (issue 21: "others see
 * reconnecting"). The server makes one `PlayerConnection` per player session and follows the
 * session's resume events (`LobbyServer`: `disconnected` → `reconnecting`, `resumed` → `connected`,
 * `lost` → `lost`); the facets carry it into the slots the session joins, and once a game launches,
 * a `SeatConnectionRelay` per seat passes its changes to the game (`IGameSession.seatConnection`),
 * which tells every seat.
 *
 * A player decides when its own connection drops and comes back, so it could flap it to flood the
 * others' screens: each seat's changes reach the game at most `burst` at once and `ratePerSecond`
 * after that; a change that arrives too soon waits, and only the latest state waiting is sent (a
 * drop and a return within the wait cancel out). So what a flapping player makes the game's watchers
 * receive is bounded whatever it does, and the last state always arrives.
 */
import type { SeatConnectionState } from './contracts.ts';
import { TokenBucket } from './token-bucket.ts';

/** Where a player's session is: `connected`, `reconnecting` (dropped, within its grace window), `lost` (for good). */
export type PlayerConnectionState = 'connected' | 'reconnecting' | 'lost';

/** One player session's connection state, which the lobby's running games follow. */
export class PlayerConnection {
  #state: PlayerConnectionState = 'connected';
  readonly #listeners = new Set<(state: PlayerConnectionState) => void>();

  /** The state now. */
  get state(): PlayerConnectionState {
    return this.#state;
  }

  /**
   * The session's connection changed: every listener is told (a state equal to the current one is
   * no news). `lost` is final: later changes are ignored, and listeners are dropped.
   */
  set(state: PlayerConnectionState): void {
    if (this.#state === 'lost' || state === this.#state) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) {
      try {
        listener(state);
      } catch {
        // A listener's failure is its own (a relay catches its own errors): the others are still told.
      }
    }
    if (state === 'lost') this.#listeners.clear();
  }

  /** Calls `listener` on every change from now on; returns how to stop. */
  watch(listener: (state: PlayerConnectionState) => void): () => void {
    if (this.#state === 'lost') return () => {};
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** How often one seat's connection changes may reach its game. */
export interface SeatConnectionRate {
  /** Changes a second, after the burst. */
  readonly ratePerSecond: number;
  /** Changes at once. */
  readonly burst: number;
}

/** The default {@link SeatConnectionRate}: 4 at once, then one every 2 s. */
export const defaultSeatConnectionRate: SeatConnectionRate = { ratePerSecond: 0.5, burst: 4 };

/**
 * Passes one seat's connection changes to its running game, throttled (see the file comment). Stop
 * it when the game ends: it then sends nothing more and holds no timer.
 */
export class SeatConnectionRelay {
  readonly #send: (state: SeatConnectionState) => void;
  readonly #bucket: TokenBucket;
  readonly #unwatch: () => void;
  /** The state the game was last told (the game starts with every seat connected). */
  #sent: SeatConnectionState = 'reconnected';
  /** The latest state not yet sent, while a change waits for the bucket. */
  #waiting: SeatConnectionState | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /**
   * Follows `connection` (telling the game at once if it is not connected now).
   *
   * @param send - tells the game; must not throw (a failure to reach the game is the caller's to log)
   */
  constructor(
    connection: PlayerConnection,
    send: (state: SeatConnectionState) => void,
    rate: SeatConnectionRate = defaultSeatConnectionRate,
  ) {
    this.#send = send;
    this.#bucket = new TokenBucket(rate.ratePerSecond, rate.burst);
    this.#unwatch = connection.watch((state) => this.#changed(state));
    if (connection.state !== 'connected') this.#changed(connection.state);
  }

  /** Sends nothing more (the game ended). Idempotent. */
  stop(): void {
    this.#stopped = true;
    this.#unwatch();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting = undefined;
  }

  #changed(state: PlayerConnectionState): void {
    if (this.#stopped) return;
    this.#waiting = state === 'connected' ? 'reconnected' : state;
    if (this.#timer === undefined) this.#flush();
  }

  #flush(): void {
    this.#timer = undefined;
    const state = this.#waiting;
    if (this.#stopped || state === undefined) return;
    if (state === this.#sent) {
      this.#waiting = undefined;
      return;
    }
    const waitMs = this.#bucket.waitMs();
    if (waitMs > 0) {
      this.#timer = setTimeout(() => this.#flush(), waitMs);
      this.#timer.unref?.();
      return;
    }
    this.#bucket.take();
    this.#waiting = undefined;
    this.#sent = state;
    this.#send(state);
    if (state === 'lost') this.stop();
  }
}
