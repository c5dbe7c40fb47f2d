import { CallScope } from './call-context.ts';
import { type ContextCall, installContextCall } from './context-calls.ts';
import { ContextResult } from './context-result.ts';

/**
 * Makes calls with options (`withOptions()`) or within a method serving a call that carried a
 * context honour their context from now on: each gets a context derived from both (`CallScope.derive`)
 * and a result that rejects when it is cancelled (`ContextResult`). `withOptions()` calls it; so does
 * whatever makes contexts that carry something (a session's call context part). Calling it again
 * does nothing more. See `context-calls.ts` for why it is a seam.
 */
export function enableContextCalls(): void {
  installContextCall(contextCall);
}

const contextCall: ContextCall = (handler, method, args, inherited, options) => {
  const context = CallScope.derive(inherited, options);
  return new ContextResult(handler.call(method, args, context), context);
};
