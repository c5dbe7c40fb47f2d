import type { CallScope } from './call-context.ts';

/**
 * The call being dispatched on this thread, valid synchronously while its method runs
 * (docs/semantics.md#call-context). A local dispatch sets it around the method (`local-handler.ts`)
 * and restores the previous one after, so nested dispatches (a method that awaits nothing and
 * triggers none) stay correct.
 *
 * Why not AsyncLocalStorage: it exists only on Node, and a context that follows every `await`
 * costs every promise. A method that needs its context after an `await` captures it first
 * (`const context = callContext()`) and passes it on (`withOptions(game, context)`); calls made
 * in the synchronous part, such as a method that forwards (`return this.game.join(name)`), inherit
 * it without a word.
 */
// `null` while a call made without a context is dispatched (`callContext()` makes its context on
// demand, so a program that never asks never loads `CallScope`), `undefined` outside any dispatch.
let current: CallScope | null | undefined;
/** `current` when it carries something to inherit (see `CallScope.carried`), else `undefined`. */
let inherited: CallScope | undefined;

/**
 * Enters the dispatch of a call with `context` (`undefined`: a call made without one, which
 * nothing cancels); returns the context to restore after it.
 */
export function enterCall(context: CallScope | undefined): CallScope | null | undefined {
  const previous = current;
  current = context ?? null;
  inherited = context?.carried ? context : undefined;
  return previous;
}

/**
 * Leaves a dispatch, restoring what {@link enterCall} returned. Returns the context
 * `callContext()` made for this call when it carried none and asked for one (the caller ends it
 * when the call settles), else `undefined`.
 */
export function leaveCall(previous: CallScope | null | undefined): CallScope | undefined {
  const left = current;
  current = previous;
  inherited = previous?.carried ? previous : undefined;
  return left?.perCall ? left : undefined;
}

/** The context calls made now inherit, or `undefined` (no call with a context is dispatched). */
export function inheritedContext(): CallScope | undefined {
  return inherited;
}

/**
 * The call being dispatched: its context, `null` for a call made without one, `undefined` outside
 * any dispatch (`callContext()` reads it).
 */
export function currentCall(): CallScope | null | undefined {
  return current;
}

/** Makes `context` the dispatched call's own (`callContext()`, for a call that carried none). */
export function replaceCurrentCall(context: CallScope): void {
  current = context;
}
