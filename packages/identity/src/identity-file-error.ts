/** What went wrong with a file, see {@link IdentityFileError.code}. */
export type IdentityFileErrorCode = 'not-found' | 'exists' | 'insecure-permissions' | 'corrupt';

/**
 * Thrown by the file functions of `@msc/identity/node` (identity key files and known-peers files):
 * - `not-found`: the file does not exist;
 * - `exists`: saving would overwrite an existing identity file (pass `overwrite: true` to allow it);
 * - `insecure-permissions`: an identity file that group or others can access (expected mode 0600),
 *   or that is not a regular file;
 * - `corrupt`: the content is not what this package writes (bad JSON, wrong format or version,
 *   a key of the wrong length, a public key that does not match the secret key).
 */
export class IdentityFileError extends Error {
  override readonly name = 'IdentityFileError';
  /** Stable code, see the class description. */
  readonly code: IdentityFileErrorCode;
  /** The file concerned. */
  readonly path: string;
  constructor(code: IdentityFileErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}
