/**
 * Why a resume attempt was refused (docs/resumption.md): the names both sides use, in `Refused`
 * frames and in `ResumeRefusedError.reason`. Its own file: the options and the parked-session
 * registry both name it.
 */

/** A resume attempt refused by the listener, or found unusable by the dialer, with a stable name. */
export type ResumeRefusal =
  /** No parked session has this resume id. */
  | 'unknown-session'
  /** The session with this resume id has already ended. */
  | 'terminated'
  /** The resuming peer authenticated as someone else than the session's peer. */
  | 'other-identity'
  /** The proof did not match the session's current resume secret (replayed, stale or forged). */
  | 'bad-secret'
  /** Another resume attempt for this session is in progress. */
  | 'busy'
  /** The session cannot be resumed (its resume secret was not agreed yet, or it held too many bytes). */
  | 'not-resumable'
  /** The resuming peer failed authentication on the new connection. */
  | 'authentication'
  /** The listener holds `maxParkedSessions` parked sessions already. */
  | 'limit'
  /** The other side does not offer resumption on the new connection. */
  | 'not-supported'
  /** The resume exchange broke the rules (a malformed or unexpected frame). */
  | 'protocol';

/** Every {@link ResumeRefusal}, for validating one that came from a peer. */
export const resumeRefusals: ReadonlySet<string> = new Set<ResumeRefusal>([
  'unknown-session',
  'terminated',
  'other-identity',
  'bad-secret',
  'busy',
  'not-resumable',
  'authentication',
  'limit',
  'not-supported',
  'protocol',
]);
