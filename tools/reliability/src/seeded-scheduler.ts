import type { DeliveryScheduler } from '@msc/transport';
import type { SeededRandom } from './seeded-random.ts';

/** Options of {@link SeededScheduler}. */
export interface SeededSchedulerOptions {
  /**
   * Probability that a turn delivers nothing, so the pending deliveries wait one more turn: the
   * deterministic stand-in for latency (the sessions' own end-of-turn work runs meanwhile). Default 0.2.
   */
  readonly holdProbability?: number;
}

/**
 * A {@link DeliveryScheduler} for memory connections that decides from a seeded generator which pending
 * delivery runs next, one per event-loop turn (`setImmediate`). Every inbox keeps its frames in order
 * (an inbox has at most one delivery pending); what the seed decides is how the directions and
 * connections interleave and how long each delivery is held. With no timers in the workload, a run is
 * then a pure function of its seed: a failing seed replays exactly.
 */
export class SeededScheduler {
  readonly #random: SeededRandom;
  readonly #holdProbability: number;
  readonly #pending: (() => void)[] = [];
  readonly #actions = new Map<number, () => void>();
  #turnScheduled = false;
  #steps = 0;
  #holds = 0;

  /**
   * @param random the generator that decides the order and the holds (use a stream of its own)
   * @param options see {@link SeededSchedulerOptions}
   */
  constructor(random: SeededRandom, options: SeededSchedulerOptions = {}) {
    this.#random = random;
    this.#holdProbability = options.holdProbability ?? 0.2;
  }

  /** The function to pass as `scheduler` to `memoryPair()`. */
  readonly schedule: DeliveryScheduler = (deliver) => {
    this.#pending.push(deliver);
    this.#requestTurn();
  };

  /** Deliveries run so far. */
  get steps(): number {
    return this.#steps;
  }

  /** Turns in which a pending delivery was held back. */
  get holds(): number {
    return this.#holds;
  }

  /** Deliveries waiting for their turn. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Runs `action` right before delivery number `step` (1-based), e.g. to break a connection there. */
  atStep(step: number, action: () => void): void {
    this.#actions.set(step, action);
  }

  #requestTurn(): void {
    if (this.#turnScheduled || this.#pending.length === 0) return;
    this.#turnScheduled = true;
    setImmediate(this.#turn);
  }

  readonly #turn = (): void => {
    this.#turnScheduled = false;
    if (this.#pending.length === 0) return;
    if (this.#random.chance(this.#holdProbability)) {
      this.#holds++;
      this.#requestTurn();
      return;
    }
    const [deliver] = this.#pending.splice(this.#random.integer(this.#pending.length), 1);
    const step = ++this.#steps;
    const action = this.#actions.get(step);
    if (action !== undefined) {
      this.#actions.delete(step);
      action();
    }
    deliver!();
    this.#requestTurn();
  };
}
