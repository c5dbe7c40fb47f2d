import { ParkedSessions } from './resume/parked-sessions.ts';
import { ResumableConnection } from './resume/resumable-connection.ts';
import { resolveResumeOptions } from './resume/resume-options.ts';
import { installResumption } from './resume/resume-part.ts';
import { scopeSessionResumeOptions } from './resume/scope-resume-options.ts';

/**
 * Enables session resumption (the `resume` option of sessions and scopes, docs/resumption.md) for
 * every session that starts from now on. `@msc/session`'s Node (default) entry calls it when it
 * loads; its `browser` entry leaves resumption out to keep pages small, so a page whose sessions
 * take the `resume` option calls it once before its first session. Calling it again does nothing more.
 *
 * Without it, a session or scope given the `resume` option throws a `TypeError` naming this function.
 *
 * @example
 * ```ts
 * import { enableResumption } from '@msc/session';
 *
 * enableResumption(); // before the page's first session with the resume option
 * ```
 */
export function enableResumption(): void {
  installResumption({
    connection: (raw, role, options, authenticator, handshakeTimeoutMs) =>
      new ResumableConnection(
        raw,
        role,
        resolveResumeOptions(options),
        authenticator,
        handshakeTimeoutMs,
        options.parkedSessions,
      ),
    parkedSessions: (options) => new ParkedSessions(options),
    scopeSession: scopeSessionResumeOptions,
  });
}
