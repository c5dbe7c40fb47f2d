/*
 * A token bucket, the rate limit the lobby puts on what one player makes a game's watchers receive
 * (see `rate-limit.ts`).
 */

/** Reads a monotonic clock, in milliseconds. */
export type Clock = () => number;

const monotonic: Clock = () => performance.now();

/**
 * A token bucket: `ratePerSecond` tokens a second, holding at most `burst`. It starts full.
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;

  constructor(ratePerSecond: number, burst: number, clock: Clock = monotonic) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#at = clock();
  }

  /** Milliseconds until a token is available: 0 when one is now. */
  waitMs(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 1000) / this.ratePerSecond);
  }

  /** Takes a token; call only after {@link waitMs} returned 0. */
  take(): void {
    this.#tokens -= 1;
  }

  /** Whether the bucket is full again (it is then the same as a new one). */
  get full(): boolean {
    this.#refill();
    return this.#tokens >= this.burst;
  }

  #refill(): void {
    const now = this.#clock();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) * this.ratePerSecond) / 1000);
    this.#at = now;
  }
}
