/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every
 * machine, which is what makes a failing fault-injection run replayable from its seed alone.
 */
export class SeededRandom {
  /** The seed this generator started from. */
  readonly seed: number;
  #state: number;

  /** @param seed any number; only its low 32 bits count */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** The next number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let value = this.#state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, maxExclusive); 0 when `maxExclusive` is 0 or less. */
  integer(maxExclusive: number): number {
    return maxExclusive <= 0 ? 0 : Math.floor(this.next() * maxExclusive);
  }

  /** An integer in [minimum, maximum], both included. */
  between(minimum: number, maximum: number): number {
    return minimum + this.integer(maximum - minimum + 1);
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.integer(items.length)]!;
  }

  /** A new generator whose sequence depends only on this one's seed and `label` (independent streams). */
  derive(label: number): SeededRandom {
    return new SeededRandom(Math.imul(this.seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(label + 1, 0xc2b2ae35));
  }
}
