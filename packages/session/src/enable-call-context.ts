import { enableContextCalls } from '@msc/eventual/handler';
import { installCallContextPart } from './call-context-part.ts';
import { ServedContexts } from './served-contexts.ts';

/**
 * Enables call contexts from the peer (docs/semantics.md#call-context) for every session that
 * starts from now on: a call the peer sends with a deadline or a signal is served with them (the
 * method's `callContext()` fires when the caller cancels, its deadline passes or the session
 * ends; calls it makes within inherit them). `@msc/session`'s Node (default) entry calls it when it
 * loads; its `browser` entry leaves it out to keep pages small, so a page whose methods read
 * `callContext()` of calls from its server calls it once before its first session. Calling it
 * again does nothing more.
 *
 * Without it, calls from the peer are served without their context (see call-context-part.ts);
 * calls this side makes with `withOptions()` carry theirs either way.
 *
 * @example
 * ```ts
 * import { enableCallContext } from '@msc/session';
 *
 * enableCallContext(); // before the page's first Scope connects
 * ```
 */
export function enableCallContext(): void {
  // The contexts made here carry something, so calls made within them must honour them.
  enableContextCalls();
  installCallContextPart((maxCallTimeoutMs) => new ServedContexts(maxCallTimeoutMs));
}
