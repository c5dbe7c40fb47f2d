import type { CallScope } from '@msc/eventual/handler';

/**
 * The call context part of a session, optional (docs/semantics.md#call-context): the contexts of
 * the calls a session serves. `@msc/session`'s Node (default) entry installs it when it loads; its
 * `browser` entry does not, and a page whose methods read `callContext()` of calls from the peer
 * calls `enableCallContext()` (enable-call-context.ts) once before its first session.
 *
 * Without it a session serves every call without a context from the peer: a context field is
 * accepted and not read (its deadline and trace stay with the caller, whose result still rejects
 * when it is cancelled or times out), a `Cancel` is ignored as for a call that carried none, and a
 * method's `callContext()` is one that nothing cancels, not even the session's end. Sending calls
 * with a context (`withOptions()`) needs nothing more: the caller's side installs itself. This
 * file holds only the seam; the answer table asks it for the part when its session starts.
 */
export interface CallContextPart {
  /** The context of a session's calls that carried none: it carries nothing on, and fires when the session ends. */
  sessionContext(): CallScope;
  /**
   * The context of a call whose field is `field` (a deadline at most `maxCallTimeoutMs` away).
   *
   * @throws ProtocolViolation for a malformed field
   */
  receive(field: readonly unknown[], maxCallTimeoutMs: number): CallScope;
}

let installed: CallContextPart | undefined;

/**
 * Installs the call context part for every session that starts from now on
 * (`enableCallContext()`); `undefined` removes it again (for tests of a program without it).
 */
export function installCallContextPart(part: CallContextPart | undefined): void {
  installed = part;
}

/** The call context part of a session starting now, or `undefined` when none is installed. */
export function callContextPart(): CallContextPart | undefined {
  return installed;
}
