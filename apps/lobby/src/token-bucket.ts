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

  /** Milliseconds until `tokens` (default 1, at most `burst`) are available: 0 when they are now. */
  waitMs(tokens = 1): number {
    this.#refill();
    return this.#tokens >= tokens ? 0 : Math.ceil(((tokens - this.#tokens) * 1000) / this.ratePerSecond);
  }

  /** Takes `tokens` (default 1); call only after {@link waitMs} returned 0 for as many. */
  take(tokens = 1): void {
    this.#tokens -= tokens;
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
