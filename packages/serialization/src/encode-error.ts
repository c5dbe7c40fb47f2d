/** Why a value could not be encoded; stable strings, safe to switch on. */
export type EncodeErrorCode =
  /** A function, symbol, unregistered class instance, `RegExp`, `WeakMap`, `Promise`, ... */
  | 'unsupported-type'
  /** The value nests too deeply for the stack, or contains a cycle. */
  | 'too-deep'
  /** The encoded frame is longer than `limits.maxFrameBytes` (the peer would reject it). */
  | 'frame-too-large'
  /** `encode` was called while a value walk was running (from `isReference`, a getter, `create`, ...). */
  | 'reentrant-encode'
  /** A reference descriptor contains a by-reference value itself. */
  | 'invalid-reference';

/**
 * Thrown by `Codec.encode` when a value cannot be written. Errors thrown by the reference hooks
 * themselves pass through unchanged, so the session sees its own errors.
 */
export class EncodeError extends Error {
  /** Why encoding failed. */
  readonly code: EncodeErrorCode;

  /**
   * @param code why encoding failed
   * @param message what was expected and what came
   * @param options `cause`: the underlying error, if any
   */
  constructor(code: EncodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static {
    EncodeError.prototype.name = 'EncodeError';
  }
}
