/**
 * Turns: the adapters of one lockstep group run at once, each in its own child process, but only
 * one of them measures at a time, and they go in lockstep: run 1 of W1 for every adapter, then run 2
 * of W1 for every adapter, … then W2. A shared machine has slow phases of seconds to minutes (the same code
 * 1.6× slower, wall and CPU time alike); measured one process after another, a phase landed on
 * whichever adapters ran then (the WebSocket W1 row once read 1.50× birpc where, run by run side by
 * side in one process, the two were within 10%). In lockstep every adapter's run i of a workload is
 * one cycle of turns from the others' (seconds for a latency workload, tens of seconds for a bulk
 * one), so a phase mostly lands on all of them and cancels out of their ratios. The children taking
 * turns together are one lockstep group's (`main.ts`), so a cycle is as short as the rows compared
 * allow.
 *
 * A child asks for a turn before each measured run (`{ type: 'turn', position }`, see
 * `measure-process.ts`) and holds it until it asks again or exits: the warm-up, the table check and
 * closing are done in its turn too. Nothing is granted until every live child waits, so a child that
 * is still loading holds the others back instead of measuring beside them.
 */

/** Where a child is: the index of the workload (in `runOrder`, `measure.ts`) and of the run it is about to make. */
export type TurnPosition = readonly [workload: number, run: number];

/** One child taking turns. */
export interface TurnTaker {
  /** Its place in the group's order: breaks ties between children at the same position. */
  readonly index: number;
  /** Lets it measure (sends it `{ type: 'go' }`). */
  go(): void;
}

/** Grants turns to the children of one lockstep group (see the file comment). */
export class TurnScheduler<Taker extends TurnTaker = TurnTaker> {
  /** Every live child, with the position it waits at (`undefined`: loading, or holding the turn). */
  readonly #live = new Map<Taker, TurnPosition | undefined>();
  #holder: Taker | undefined = undefined;
  /** How many children the group started with (their indexes run from 0 below it). */
  readonly #count: number;

  constructor(count: number) {
    this.#count = count;
  }

  /** `taker` started: no turn is granted until it waits or leaves. */
  join(taker: Taker): void {
    this.#live.set(taker, undefined);
  }

  /** `taker` waits for a turn at `position` (giving up the one it holds, if any). */
  request(taker: Taker, position: TurnPosition): void {
    if (!this.#live.has(taker)) return;
    if (this.#holder === taker) this.#holder = undefined;
    this.#live.set(taker, position);
    this.#grant();
  }

  /** `taker` exited (done, failed or killed): its turn, if it held one, passes on. */
  leave(taker: Taker): void {
    this.#live.delete(taker);
    if (this.#holder === taker) this.#holder = undefined;
    this.#grant();
  }

  /** The children not waiting now: the one holding the turn and those still loading. */
  busy(): Taker[] {
    return [...this.#live].filter(([, position]) => position === undefined).map(([taker]) => taker);
  }

  /**
   * When nobody holds the turn and every live child waits: the turn goes to the child furthest behind
   * (lowest workload, then lowest run); among equals, the order rotates by one place per run, so no
   * adapter always measures first in its cycle, right after the child that ran the previous workload.
   */
  #grant(): void {
    if (this.#holder !== undefined || this.#live.size === 0) return;
    let next: Taker | undefined;
    let nextPosition: TurnPosition | undefined;
    for (const [taker, position] of this.#live) {
      if (position === undefined) return;
      if (nextPosition === undefined || this.#before(taker, position, next!, nextPosition)) {
        next = taker;
        nextPosition = position;
      }
    }
    this.#holder = next!;
    this.#live.set(next!, undefined);
    next!.go();
  }

  #before(taker: Taker, position: TurnPosition, other: Taker, otherPosition: TurnPosition): boolean {
    if (position[0] !== otherPosition[0]) return position[0] < otherPosition[0];
    if (position[1] !== otherPosition[1]) return position[1] < otherPosition[1];
    const size = this.#count;
    const rotation = position[1] % size;
    return (taker.index - rotation + size) % size < (other.index - rotation + size) % size;
  }
}
