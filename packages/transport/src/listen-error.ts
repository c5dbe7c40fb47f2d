/**
 * Why listening failed:
 * - `bad-address`: the address is malformed or of another transport's scheme.
 * - `address-in-use`: something already listens there.
 * - `aborted`: the `signal` was already aborted.
 * - `failed`: anything else (the `cause` tells more).
 */
export type ListenErrorCode = 'bad-address' | 'address-in-use' | 'aborted' | 'failed';

/** The rejection of `Transport.listen()`. */
export class ListenError extends Error {
  /** Stable error name. */
  override readonly name = 'ListenError';
  /** Why listening failed; stable, switch on it. */
  readonly code: ListenErrorCode;
  /** The address asked for. */
  readonly address: string;

  /**
   * @param code why listening failed
   * @param address the address asked for
   * @param message what was expected and what happened
   * @param cause the underlying error, if any
   */
  constructor(code: ListenErrorCode, address: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.address = address;
  }
}
