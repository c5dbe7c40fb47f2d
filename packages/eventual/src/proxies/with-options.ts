import type { CallOptions } from '../context/call-context.ts';
import { enableContextCalls } from '../context/enable-context-calls.ts';
import { DisposedError } from '../errors.ts';
import { createProxy, createResult, stateOf } from '../facade/facade.ts';
import type { ResultHandler } from '../seam/capability-handler.ts';

/**
 * A view of `capability` (a proxy or a call result) whose calls carry `options`: a signal that
 * cancels them, a time limit, trace context (docs/semantics.md#call-context). The view has the
 * very type it was made from, so plain interfaces type-check unchanged; the interface's methods
 * need no extra parameter.
 *
 * - Aborting `signal` rejects every call made through the view that has not settled, at once, with
 *   `CallAbortError` (`name` `AbortError`, as `fetch`), and the calls pipelined on them too; the
 *   callee's `callContext().signal` fires (across a session: a `Cancel` message), and a call not
 *   yet dispatched never runs. Aborting after a call settled does nothing to it.
 * - `timeoutMs` gives each call a deadline (`Infinity`: none); past it the call rejects with
 *   `CallTimeoutError` (`name` `TimeoutError`) and the callee's signal fires. Calls the callee makes within its call
 *   inherit the time that remains, across sessions and SIPs.
 * - Called within a method that serves a call with a context, the view's calls inherit it too
 *   (the earlier deadline wins; either signal cancels).
 *
 * The view is a proxy instance of its own, holding one more reference to the capability: dispose
 * it (`using`) when done, or let it be collected. Pass a captured `callContext()` as `options` to
 * carry a call's context past an `await`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const results = withOptions(search, { signal: controller.signal, timeoutMs: 5_000 }).run('msc');
 * controller.abort(); // results rejects now with an AbortError; the search's signal fires
 * ```
 *
 * @throws TypeError when `capability` is not a proxy or result, or an option has the wrong type;
 *   DisposedError when it was disposed
 */
export function withOptions<P extends object>(capability: P, options: CallOptions): P {
  const state = typeof capability === 'object' && capability !== null ? stateOf(capability) : undefined;
  if (state === undefined) throw new TypeError('withOptions() needs a proxy or a call result');
  if (state.disposed) throw new DisposedError('(withOptions)', state.reason);
  checkOptions(options);
  // The view's calls need contexts: installed on first use, so programs that never scope a call
  // do not carry them (context-calls.ts).
  enableContextCalls();
  // A fresh proxy's reference moves into the view; otherwise the view gets one of its own.
  if (!state.sink()) state.handler.retain();
  const view = state.isResult ? createResult(state.handler as ResultHandler) : createProxy(state.handler);
  stateOf(view)!.options = options;
  return view as P;
}

function checkOptions(options: CallOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `withOptions() needs an options object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const { signal, timeoutMs, deadline } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('options.signal must be an AbortSignal');
  }
  if (
    timeoutMs !== undefined &&
    !(typeof timeoutMs === 'number' && timeoutMs >= 0 && !Number.isNaN(timeoutMs))
  ) {
    throw new TypeError(
      `options.timeoutMs must be a number of milliseconds, 0 or more (Infinity for none), got ${String(timeoutMs)}`,
    );
  }
  if (deadline !== undefined && !(typeof deadline === 'number' && !Number.isNaN(deadline))) {
    throw new TypeError(
      `options.deadline must be a performance.now() time (Infinity for none), got ${String(deadline)}`,
    );
  }
}
