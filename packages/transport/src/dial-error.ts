/**
 * Why a dial failed:
 * - `bad-address`: the address is malformed or of another transport's scheme.
 * - `refused`: nothing listens there (or the listener closed).
 * - `timeout`: `timeoutMs` (or the transport's default) passed first.
 * - `aborted`: the dial's `signal` was aborted.
 * - `unreachable`: the host or network cannot be reached.
 * - `failed`: anything else (the `cause` tells more).
 */
export type DialErrorCode = 'bad-address' | 'refused' | 'timeout' | 'aborted' | 'unreachable' | 'failed';

/** The rejection of `Transport.dial()`. */
export class DialError extends Error {
  /** Stable error name. */
  override readonly name = 'DialError';
  /** Why the dial failed; stable, switch on it. */
  readonly code: DialErrorCode;
  /** The address that was dialed. */
  readonly address: string;

  /**
   * @param code why the dial failed
   * @param address the address that was dialed
   * @param message what was expected and what happened
   * @param cause the underlying error, if any
   */
  constructor(code: DialErrorCode, address: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.address = address;
  }

  /**
   * The error of a dial whose signal was aborted (before or while it ran).
   *
   * @param address the address that was dialed
   * @param reason the signal's `reason`, kept as the cause
   */
  static aborted(address: string, reason?: unknown): DialError {
    return new DialError(
      'aborted',
      address,
      `expected to connect to ${address}, but the dial was aborted`,
      reason,
    );
  }
}
