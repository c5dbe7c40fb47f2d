import type { AbortedError } from '@msc/eventual';
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
 * file holds only the seam; the answer table asks it for its session's part when it is made.
 */

/**
 * The contexts of one session's answers (`ServedContexts` in served-contexts.ts implements it):
 * a call that carried a context field gets one of its own (its deadline and trace, a signal a
 * `Cancel` fires), kept until its answer settles; a call that carried none gets the session's one
 * context, which carries nothing on and whose signal fires only when the session ends.
 */
export interface CallContextPart {
  /**
   * The context of the call asked as `questionId`, whose context field is `field` (`undefined`:
   * none).
   *
   * @throws ProtocolViolation for a malformed field
   */
  forCall(questionId: number, field: readonly unknown[] | undefined): CallScope;
  /** The answer settled: its context stops (its deadline timer), and a later `Cancel` does nothing. */
  settled(questionId: number): void;
  /** The caller finished the call before its return: its context is cancelled. */
  finished(questionId: number): void;
  /** `Cancel` (`timedOut`: the caller's deadline passed), for a live answer. */
  cancel(questionId: number, timedOut: boolean): void;
  /** @internal The session ended: the signals of the calls still being served fire with `aborted`. */
  abortAll_(aborted: AbortedError): void;
}

/** Makes the call context part of one session (`maxCallTimeoutMs`: the longest remaining time a call may declare). */
export type CallContextPartFactory = (maxCallTimeoutMs: number) => CallContextPart;

let installed: CallContextPartFactory | undefined;

/**
 * Installs the call context part for every session that starts from now on
 * (`enableCallContext()`); `undefined` removes it again (for tests of a program without it).
 */
export function installCallContextPart(factory: CallContextPartFactory | undefined): void {
  installed = factory;
}

/** The call context part of a session starting now, or `undefined` when none is installed. */
export function createCallContextPart(maxCallTimeoutMs: number): CallContextPart | undefined {
  return installed?.(maxCallTimeoutMs);
}
