/** What was malformed, see {@link IdentityFormatError.code}. */
export type IdentityFormatErrorCode = 'public-key' | 'secret-key' | 'name' | 'text';

/**
 * Thrown when bytes or text meant to describe an identity are malformed: a public key that is not
 * a valid ed25519 point (or is of small order), a secret key of the wrong length, a display name
 * that breaks the rules of {@link validateDisplayName}, or key text that does not parse.
 */
export class IdentityFormatError extends Error {
  override readonly name = 'IdentityFormatError';
  /** Stable code: which kind of value was malformed. */
  readonly code: IdentityFormatErrorCode;
  constructor(code: IdentityFormatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
