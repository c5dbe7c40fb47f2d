import type { Proxy } from '@msc/eventual';
import type { SessionStats } from '@msc/session';
import type { SipEnd } from './sip-end.ts';
import type { SipKind } from './sip-options.ts';

/**
 * The parent's handle on a running SIP: its root capability, its end, and the means to destroy it.
 *
 * Ownership: the handle owns the SIP. Dropping the handle does not stop the SIP; `terminate()` (or `await using`)
 * does. A process that exits takes its process SIPs down with it (and worker SIPs end with their process).
 */
export interface Sip<I = unknown> extends AsyncDisposable {
  /** The name given in the options (or derived from the module), for diagnostics. */
  readonly name: string;
  /** Worker thread or child process. */
  readonly kind: SipKind;
  /**
   * The SIP's root capability: usable at once. Calls made before the SIP has started are sent, in order, once it
   * has; when the SIP ends they (and every later call) fail with `AbortedError`. The handle owns this proxy
   * instance: take copies with `proxy(sip.root)` to hand out separately disposable references.
   */
  readonly root: Proxy<I>;
  /** The id of the SIP's process (a worker SIP runs in this process: `process.pid`). */
  readonly pid: number | undefined;
  /** The worker thread's `threadId`; `undefined` for a process SIP. */
  readonly threadId: number | undefined;
  /**
   * Resolves once the session with the SIP is established (the SIP started and its main function was called);
   * rejects with `SessionError` when it could not be.
   */
  readonly established: Promise<void>;
  /**
   * Settles (never rejects) once the SIP has ended, for any reason, with how it ended. By then its thread or process
   * is gone and every eventual value of this side that spanned its session has settled.
   */
  readonly ended: Promise<SipEnd>;
  /** Whether the SIP has ended (`ended` has settled or is about to). */
  readonly isEnded: boolean;
  /**
   * Destroys the SIP: its session is terminated (pending calls abort with `AbortedError` whose cause names
   * `message`), its thread is stopped or its process killed (SIGKILL), and so is every process SIP it started,
   * however deep. Definitive: once this resolves, no code of the SIP runs any more. Resolves with the end (cause
   * `terminated`, unless the SIP had already ended otherwise). Idempotent; never rejects.
   *
   * @param message why, for the session's termination reason. Default `the SIP was terminated by its parent`.
   */
  terminate(message?: string): Promise<SipEnd>;
  /**
   * Table sizes of this side of the session with the SIP (`Session.stats()` of `@msc/session`), for leak checks and
   * diagnostics: the SIP's side mirrors them (this side's questions are its answers, its exports this side's imports).
   */
  stats(): SessionStats;
}
