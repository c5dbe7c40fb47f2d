import type { TerminationReason } from '@msc/session';

/**
 * Why a SIP ended:
 * - `exit`: it ended by itself: `process.exit(code)`, the end of its event loop, or its session to the parent
 *   ended (the SIP side exits then, with code 0).
 * - `uncaught-error`: an uncaught exception or an unhandled rejection (also one thrown by the SIP's main function
 *   or while its module loaded). `error` holds it.
 * - `memory-limit`: it ran out of the heap it was given (`resourceLimits`).
 * - `signal`: a process SIP was killed by a signal nobody in this library sent (`signal` names it).
 * - `terminated`: its parent destroyed it: `terminate()`, the `signal` option, or its session ended and it did
 *   not exit by itself within `exitGraceMs`.
 * - `protocol`: the parent destroyed a process SIP that broke the IPC protocol: bytes on its channel that are not a
 *   message, or a message past the size limit. `error` is a `SipError` with code `protocol`.
 */
export type SipEndCause = 'exit' | 'uncaught-error' | 'memory-limit' | 'signal' | 'terminated' | 'protocol';

/**
 * How a SIP ended, as its parent saw it. By the time a `SipEnd` is delivered the SIP's thread or process is gone,
 * every process SIP it started (directly or further down) is gone too, and its session has ended, so every
 * eventual value that spanned the session has settled (with `AbortedError` when it had not completed).
 */
export interface SipEnd {
  /** Why it ended; see {@link SipEndCause}. */
  readonly cause: SipEndCause;
  /** What happened, for logs: names the SIP, the cause and the details. */
  readonly message: string;
  /** The exit code of the thread or process, when it had one (a killed process has none). */
  readonly exitCode?: number;
  /** The signal that killed a process SIP, e.g. `SIGKILL` after `terminate()`. */
  readonly signal?: string;
  /**
   * The error behind `uncaught-error`, `memory-limit` and `protocol` (a `SipError`): for a worker, the error as
   * the thread reported it; for a process, an `Error` rebuilt from the name, message and stack the process
   * reported before it died.
   */
  readonly error?: Error;
  /** How the session with the SIP ended. */
  readonly session: TerminationReason;
}
