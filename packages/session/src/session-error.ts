/**
 * The step of session establishment a failure belongs to (docs/semantics.md#establishment), or
 * `session` after it.
 */
export type SessionStep = 'transport' | 'version' | 'authentication' | 'configuration' | 'session';

/** Stable codes of session terminations. */
export type SessionErrorCode =
  /** Ended on purpose by one side (`terminate()`, scope end). */
  | 'closed'
  /** The transport connection was lost. */
  | 'connection-lost'
  /** No protocol version in common. */
  | 'version-mismatch'
  /** The peer was refused by the authenticator or the admission policy. */
  | 'refused'
  /** Authentication failed: bad signature, wrong key, malformed authentication message. */
  | 'invalid'
  /** A step did not finish within the handshake timeout. */
  | 'timeout'
  /** The peer broke the protocol (malformed frame, unknown id, message out of order). */
  | 'protocol'
  /** The peer exceeded a limit (frame size, outstanding calls, table sizes, nesting). */
  | 'limit'
  /** Something failed on this side while establishing (for example the root chooser threw). */
  | 'internal';

/** Every {@link SessionErrorCode}, for checking a code that came from the peer. */
export const sessionErrorCodes: ReadonlySet<SessionErrorCode> = new Set<SessionErrorCode>([
  'closed',
  'connection-lost',
  'version-mismatch',
  'refused',
  'invalid',
  'timeout',
  'protocol',
  'limit',
  'internal',
]);

/**
 * The session code for a connection that closed under it: `closed` for a graceful close; the
 * transport's own verdicts on the peer (`protocol`: a frame over the cap or broken framing;
 * `limit`: a budget) keep their names; anything else is `connection-lost`.
 */
export function sessionCodeOfClose(code: string): SessionErrorCode {
  if (code === 'normal') return 'closed';
  return code === 'protocol' || code === 'limit' ? code : 'connection-lost';
}

/** Why a session ended. */
export interface TerminationReason {
  readonly step: SessionStep;
  readonly code: SessionErrorCode;
  readonly message: string;
  /** Whether the peer (or the connection) ended it, not this side. */
  readonly remote: boolean;
  /**
   * For code `limit` found by this side: the limit the peer exceeded, a `SessionLimits` name
   * (`maxAnswers`, `maxFrameBytes`, `maxBufferedBytes`...) or the decoder's limit code
   * (`too-deep`, `string-too-long`, `work-exceeded`...).
   */
  readonly limit?: string;
}

/**
 * A session ended, or could not be established. Every eventual value that spanned the session is
 * aborted with `AbortedError` whose `cause` is this error.
 */
export class SessionError extends Error {
  override name = 'SessionError';
  readonly code: SessionErrorCode;
  readonly step: SessionStep;
  readonly remote: boolean;

  constructor(reason: TerminationReason) {
    super(
      `${reason.remote ? 'the peer ended the session' : 'session ended'} at the ${reason.step} step (${reason.code}): ${reason.message}`,
    );
    this.code = reason.code;
    this.step = reason.step;
    this.remote = reason.remote;
  }

  /** The reason this error describes. */
  get reason(): TerminationReason {
    return { step: this.step, code: this.code, message: this.message, remote: this.remote };
  }
}
