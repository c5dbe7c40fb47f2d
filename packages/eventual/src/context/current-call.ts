import type { CallContext, CallScope } from './call-context.ts';

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
let current: CallScope | undefined;
/** `current` when it carries something to inherit (see `CallScope.carried`), else `undefined`. */
let inherited: CallScope | undefined;

/** Enters the dispatch of a call with `context`; returns the context to restore after it. */
export function enterCall(context: CallScope): CallScope | undefined {
  const previous = current;
  current = context;
  inherited = context.carried ? context : undefined;
  return previous;
}

/**
 * Leaves a dispatch, restoring what {@link enterCall} returned. Returns the context
 * `callContext()` made for this call when it carried none and asked for one (the caller ends it
 * when the call settles), else `undefined`.
 */
export function leaveCall(previous: CallScope | undefined): CallScope | undefined {
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
 * The context of the call whose method is running: its `signal` (fires when the caller cancels,
 * the deadline passes or the caller's session ends), its `deadline` and `remainingMs()`, its
 * trace context. Valid synchronously while the method is dispatched: call it before the first
 * `await` and keep the result.
 *
 * @example
 * ```ts
 * class Search {
 *   async run(query: string): Promise<string[]> {
 *     const context = callContext();
 *     const { signal } = context;
 *     const found: string[] = [];
 *     for (const shard of this.shards) {
 *       signal.throwIfAborted(); // the caller cancelled, or its deadline passed
 *       found.push(...(await withOptions(shard, context).find(query))); // its deadline too
 *     }
 *     return found;
 *   }
 * }
 * ```
 *
 * @throws Error when no method is being dispatched (after an `await`, or outside a call)
 */
export function callContext(): CallContext {
  if (current === undefined) {
    throw new Error(
      'callContext() is valid only while a method is dispatched: call it before the first await and keep the result',
    );
  }
  // A call that carried no context runs in one shared by all such calls: it gets its own now, so
  // the listeners its method adds go with it (see `CallScope.forCall`).
  if (!current.carried && !current.perCall) current = current.forCall();
  return current;
}
