/**
 * Stable codes of {@link SipError}:
 * - `module-not-found`: the SIP module URL names a file that does not exist.
 * - `init-not-serializable`: the init data cannot be copied by value (a function, a SharedArrayBuffer, a
 *   MessagePort, a proxy…): only serializable data may cross into a SIP.
 * - `bad-options`: an option is out of range or of the wrong kind.
 * - `not-a-sip`: `runSip()` was called in a thread or process that was not launched by `spawnSip()`.
 * - `protocol`: a process SIP wrote to its IPC channel bytes that are not a message (Node's deserializer refused
 *   them) or a message larger than the limit (16 MiB + 64 KiB). The parent ended that SIP; this error is the
 *   `error` of its `SipEnd` (cause `protocol`), never thrown.
 */
export type SipErrorCode =
  | 'module-not-found'
  | 'init-not-serializable'
  | 'bad-options'
  | 'not-a-sip'
  | 'protocol';

/**
 * Thrown synchronously by `spawnSip()` and `runSip()` when a SIP cannot be launched as asked; also the `error` of a
 * SIP the parent ended for breaking the IPC protocol (code `protocol`).
 */
export class SipError extends Error {
  /** Stable error name. */
  override readonly name = 'SipError';
  /** Why the launch failed; stable, switch on it. */
  readonly code: SipErrorCode;

  /**
   * @param code why the launch failed
   * @param message what was expected and what came
   * @param cause the underlying error, if any
   */
  constructor(code: SipErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}
