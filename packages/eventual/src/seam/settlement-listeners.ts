import type { Settlement } from './capability-handler.ts';

/**
 * The listeners of a result handler waiting for its settlement. Most results have exactly one
 * listener (their facade), so the first is kept in a field and only further ones in an array.
 * Result handlers (local promises here, remote questions in `@msc/session`) keep one each.
 */
export class SettlementListeners {
  #first: ((settlement: Settlement) => void) | undefined = undefined;
  #more: ((settlement: Settlement) => void)[] | undefined = undefined;

  /** Whether nobody is waiting for the settlement. */
  get isEmpty(): boolean {
    return this.#first === undefined;
  }

  /** Adds a listener for the coming settlement. Returns a function that removes it again. */
  add(listener: (settlement: Settlement) => void): () => void {
    if (this.#first === undefined && this.#more === undefined) this.#first = listener;
    else (this.#more ??= []).push(listener);
    return () => this.#remove(listener);
  }

  #remove(listener: (settlement: Settlement) => void): void {
    if (this.#first === listener) {
      // The next one moves up, so the order of the others stays the order they were added in.
      this.#first = this.#more?.shift();
      if (this.#more?.length === 0) this.#more = undefined;
      return;
    }
    const more = this.#more;
    const index = more?.indexOf(listener) ?? -1;
    if (index < 0) return;
    more!.splice(index, 1);
    if (more!.length === 0) this.#more = undefined;
  }

  /** Calls every listener once with `settlement`, in the order they were added, and forgets them. */
  notify(settlement: Settlement): void {
    const first = this.#first;
    const more = this.#more;
    this.#first = undefined;
    this.#more = undefined;
    if (first !== undefined) first(settlement);
    if (more !== undefined) for (const next of more) next(settlement);
  }
}
