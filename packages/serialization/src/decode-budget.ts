import { DecodeError } from './decode-error.ts';

/** How much a {@link DecodeBudget} allows across all the frames it is passed with. */
export interface DecodeBudgetLimits {
  /** Work units (see `DecodeLimits`) all frames together may cost. */
  readonly work: number;
  /** Record definitions all frames together may carry. */
  readonly recordDefinitions: number;
}

/**
 * Budget for a session before its peer is authenticated: 2 Mi work units (about 16 full frames at
 * `handshakeDecodeLimits`) and 128 record definitions across all its frames.
 */
export const handshakeDecodeBudget: DecodeBudgetLimits = Object.freeze({
  work: 2 * 1024 * 1024,
  recordDefinitions: 128,
});

/**
 * Decode work one peer may cost across many frames: a session makes one (for instance with
 * {@link handshakeDecodeBudget} until its peer is authenticated) and passes it to every
 * `Codec.decode`. Each frame is charged after its check and before anything is built; a frame that
 * would overdraw it is a `DecodeError` `budget-exhausted` and charges nothing.
 *
 * A codec may be shared by many sessions; the budget is what is per session.
 */
export class DecodeBudget {
  #work: number;
  #recordDefinitions: number;

  /**
   * @param limits totals across all frames
   * @throws RangeError when a total is not a non-negative safe integer
   */
  constructor(limits: DecodeBudgetLimits) {
    for (const [key, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(`budget.${key} must be a non-negative integer, got ${String(value)}`);
      }
    }
    this.#work = limits.work;
    this.#recordDefinitions = limits.recordDefinitions;
  }

  /** Work units left. */
  get remainingWork(): number {
    return this.#work;
  }

  /** Record definitions left. */
  get remainingRecordDefinitions(): number {
    return this.#recordDefinitions;
  }

  /**
   * Takes one frame's cost out of the budget, or nothing if it does not fit.
   * @throws DecodeError `budget-exhausted` when the frame does not fit
   */
  charge(work: number, recordDefinitions: number): void {
    if (work > this.#work || recordDefinitions > this.#recordDefinitions) {
      throw new DecodeError(
        'budget-exhausted',
        `expected a frame within this peer's decode budget (${this.#work} work units, ${this.#recordDefinitions} record definitions left), got one costing ${work} units and ${recordDefinitions} record definitions`,
      );
    }
    this.#work -= work;
    this.#recordDefinitions -= recordDefinitions;
  }
}
