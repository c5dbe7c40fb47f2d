import type { CapabilityHandler, ResultHandler } from '../seam/capability-handler.ts';
import type { CallOptions, CallScope } from './call-context.ts';

/**
 * The seam between a proxy's calls and call contexts (docs/semantics.md#call-context): a call made
 * through a `withOptions()` view, or within a method serving a call that carried a context, goes
 * through the installed {@link ContextCall}, which derives the call's context and makes the result
 * that rejects when it is cancelled (`context-result.ts`). Everything else calls its handler
 * directly, so a program that never scopes a call (a page that only calls its server) does not
 * carry `CallScope` or `ContextResult`.
 *
 * Who installs it: `withOptions()` the first time it is called, and whatever makes contexts that
 * carry something (a session's call context part, `enableCallContext()` in `@msc/session`), through
 * {@link enableContextCalls}. Those are the only ways a call gets options or a context to inherit,
 * so a call that needs it finds it installed.
 */

/** Makes a call with a context derived from `inherited` and `options` (at least one is set). */
export type ContextCall = (
  handler: CapabilityHandler,
  method: string,
  args: unknown[],
  inherited: CallScope | undefined,
  options: CallOptions | undefined,
) => ResultHandler;

let installed: ContextCall | undefined;

/** Installs `call` for every call made from now on that has options or a context to inherit. */
export function installContextCall(call: ContextCall): void {
  installed = call;
}

/**
 * Makes a call that has options or a context to inherit through the installed {@link ContextCall};
 * without one (a context made by hand with `CallScope` but never enabled) the call goes out
 * without a context, as it would to a peer that predates call contexts.
 */
export function callWithContext(
  handler: CapabilityHandler,
  method: string,
  args: unknown[],
  inherited: CallScope | undefined,
  options: CallOptions | undefined,
): ResultHandler {
  return installed === undefined
    ? handler.call(method, args)
    : installed(handler, method, args, inherited, options);
}
