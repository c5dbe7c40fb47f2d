import type { Connection } from '@msc/transport';
import type { Authenticator, SessionRole } from '../authenticator.ts';
import { notEnabled } from '../not-enabled.ts';
import type { ParkedSessions, ParkedSessionsOptions } from './parked-sessions.ts';
import type { ResumableConnection } from './resumable-connection.ts';
import type { ResumeOptions } from './resume-options.ts';
import type { scopeSessionResumeOptions } from './scope-resume-options.ts';

/** The types a session sees of resumption (only types: nothing of resumption is loaded through them). */
export type { ResumableConnection } from './resumable-connection.ts';
export type { ResumeStatus } from './resume-options.ts';

/**
 * Session resumption, optional in a program (docs/resumption.md): its implementation (the resumable
 * connection, the resume exchange, the replay buffer and the secret) is about a seventh of a browser
 * client, so only the entry that installs it carries it. `@msc/session`'s Node (default) entry
 * installs it when it loads; its `browser` entry does not, and a page whose sessions take the `resume`
 * option calls `enableResumption()` (enable-resumption.ts) once before its first session. A session
 * or scope without the option never asks this seam for anything, installed or not.
 *
 * Without it a session or scope given the `resume` option throws at construction, naming
 * `enableResumption()`. This file holds only the seam; a session asks it for its connection when it
 * starts, a scope for its parked sessions.
 */

/** What resumption makes, once installed. */
export interface Resumption {
  /** The resumable connection of one session (`ResumableConnection`'s constructor, options unresolved). */
  connection(
    raw: Connection,
    role: SessionRole,
    options: ResumeOptions<any>,
    authenticator: Authenticator<unknown>,
    handshakeTimeoutMs: number,
  ): ResumableConnection;
  /** The parked sessions of a scope's listeners. */
  parkedSessions(options: ParkedSessionsOptions): ParkedSessions;
  /** The resume options of one session of a scope (`scopeSessionResumeOptions`). */
  scopeSession: typeof scopeSessionResumeOptions;
}

let installed: Resumption | undefined;

/** @throws TypeError naming `enableResumption()` when resumption is not installed */
function implementation(what: string): Resumption {
  if (installed === undefined) {
    throw new TypeError(
      `cannot start a ${what} with the resume option: ${notEnabled('resumption', 'enableResumption')}`,
    );
  }
  return installed;
}

/**
 * Installs resumption for every session that starts from now on (`enableResumption()`); `undefined`
 * removes it again (for tests of a program without it).
 */
export function installResumption(resumption: Resumption | undefined): void {
  installed = resumption;
}

/**
 * The resumable connection of a session with the `resume` option, starting now; `undefined`
 * without the option (then nothing of resumption is made or asked for).
 *
 * @throws TypeError when resumption is not installed (the browser entry without `enableResumption()`)
 * @throws RangeError from the options' checks
 */
export function resumableConnectionOf(
  options: {
    readonly connection: Connection;
    readonly role: SessionRole;
    readonly resume?: ResumeOptions<any> | undefined;
    readonly authenticator: Authenticator<any>;
  },
  handshakeTimeoutMs: number,
): ResumableConnection | undefined {
  if (options.resume === undefined) return undefined;
  return implementation('session').connection(
    options.connection,
    options.role,
    options.resume,
    options.authenticator,
    handshakeTimeoutMs,
  );
}

/**
 * The parked sessions of a scope with the `resume` option.
 *
 * @throws TypeError when resumption is not installed (the browser entry without `enableResumption()`)
 * @throws RangeError from the bounds' checks
 */
export function createParkedSessions(options: ParkedSessionsOptions): ParkedSessions {
  return implementation('scope').parkedSessions(options);
}

/**
 * The resume options of one session of a scope with the `resume` option (see
 * `scopeSessionResumeOptions`).
 *
 * @throws TypeError when resumption is not installed (the browser entry without `enableResumption()`)
 */
export function scopeSessionResume(
  ...args: Parameters<typeof scopeSessionResumeOptions>
): ReturnType<typeof scopeSessionResumeOptions> {
  return implementation('scope').scopeSession(...args);
}
