import { type CallContext, CallScope } from './call-context.ts';
import { currentCall, replaceCurrentCall } from './current-call.ts';

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
  const current = currentCall();
  if (current === undefined) {
    throw new Error(
      'callContext() is valid only while a method is dispatched: call it before the first await and keep the result',
    );
  }
  // A call that carried no context runs without one (a local call) or in one shared by all such
  // calls (a session's): it gets its own now, so the listeners its method adds go with it (see
  // `CallScope.forCall`).
  if (current === null || (!current.carried && !current.perCall)) {
    const own = CallScope.forCall(current ?? undefined);
    replaceCurrentCall(own);
    return own;
  }
  return current;
}
