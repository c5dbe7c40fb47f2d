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
    return () => {
      // The first slot keeps a no-op, so a later listener cannot run before earlier ones.
      // (An index of -1 becomes 2^32 - 1: `splice` then removes nothing.)
      if (this.#first === listener) this.#first = ignore;
      else this.#more?.splice(this.#more.indexOf(listener) >>> 0, 1);
    };
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

/** A listener (or an unsubscribe) that does nothing. */
export function ignore(): void {}
