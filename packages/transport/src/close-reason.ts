/**
 * How a connection ended:
 * - `normal`: a graceful `close()` by one side; every frame sent before it was delivered.
 * - `aborted`: `abort()` by one side; frames still pending were dropped.
 * - `error`: the medium failed or the peer vanished (reset socket, terminated thread, injected fault).
 * - `timeout`: a transport-level deadline passed (for example a close handshake that never finished).
 * - `protocol`: the peer broke the framing rules (for example an oversized frame on a stream transport).
 * - `limit`: a budget ran out: more than `maxBufferedBytes` waited for a peer that does not read, or a buffer for an
 *   arriving frame could not be allocated.
 */
export type CloseCode = 'normal' | 'aborted' | 'error' | 'timeout' | 'protocol' | 'limit';

/** Every {@link CloseCode}, for validating a code that came from a peer. */
export const closeCodes: readonly CloseCode[] = [
  'normal',
  'aborted',
  'error',
  'timeout',
  'protocol',
  'limit',
];

/** Why a connection closed. `remote` says whether the peer (or the medium) closed it, not us. */
export interface CloseReason {
  /** The kind of ending; see {@link CloseCode}. */
  readonly code: CloseCode;
  /** A human-readable explanation (never empty), meant for logs and error messages. */
  readonly message: string;
  /** `true` when the peer or the medium ended the connection, `false` when this side called close()/abort(). */
  readonly remote: boolean;
  /** The error behind an `aborted` or `error` ending, when there is one (what was passed to abort(), a socket error…). */
  readonly error?: unknown;
}

/** What a caller may say when it closes a connection gracefully. */
export interface CloseOptions {
  /** The code reported on this side (and on the peer's, where the transport can carry it). Default `normal`. */
  code?: CloseCode | undefined;
  /** The message reported with it. Default: a transport-chosen description of a local close. */
  message?: string | undefined;
}
