import type { Connection } from '@msc/transport';
import type { Authenticator, SessionRole } from '../authenticator.ts';
import type { ResumableConnection } from './resumable-connection.ts';
import type { ResumeOptions } from './resume-options.ts';

/**
 * Session resumption, optional in a program (docs/resumption.md): its implementation (the resumable
 * connection, the resume exchange, the replay buffer and the secret) is about a seventh of a browser
 * client, so only the entry that installs it carries it. `@msc/session`'s Node (default) entry
 * installs it when it loads; its `browser` entry does not, and a page whose sessions take the `resume`
 * option calls `enableResumption()` (enable-resumption.ts) once before its first session. A session
 * without the option never asks this seam for anything, installed or not.
 *
 * Without it a session given the `resume` option throws at construction, naming `enableResumption()`.
 * This file holds only the seam; the session asks it for its connection when it starts.
 */

/** Makes the resumable connection of one session (`ResumableConnection`'s constructor, options unresolved). */
export type ResumableConnectionFactory = (
  raw: Connection,
  role: SessionRole,
  options: ResumeOptions<any>,
  authenticator: Authenticator<unknown>,
  handshakeTimeoutMs: number,
) => ResumableConnection;

let installed: ResumableConnectionFactory | undefined;

/**
 * Installs resumption for every session that starts from now on (`enableResumption()`); `undefined`
 * removes it again (for tests of a program without it).
 */
export function installResumption(factory: ResumableConnectionFactory | undefined): void {
  installed = factory;
}

/**
 * The resumable connection of a session with the `resume` option, starting now.
 *
 * @throws TypeError when resumption is not installed (the browser entry without `enableResumption()`)
 * @throws RangeError from the options' checks
 */
export function createResumableConnection(
  raw: Connection,
  role: SessionRole,
  options: ResumeOptions<any>,
  authenticator: Authenticator<unknown>,
  handshakeTimeoutMs: number,
): ResumableConnection {
  if (installed === undefined) {
    throw new TypeError(
      "cannot start a session with the resume option: resumption is not enabled in this program; call enableResumption() from '@msc/session' once before its first session (the browser entry leaves it out to stay small)",
    );
  }
  return installed(raw, role, options, authenticator, handshakeTimeoutMs);
}
