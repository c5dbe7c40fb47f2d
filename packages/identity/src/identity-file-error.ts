import { dirname, resolve } from 'node:path';

/** What went wrong with a file, see {@link IdentityFileError.code}. */
export type IdentityFileErrorCode =
  | 'not-found'
  | 'folder-not-found'
  | 'exists'
  | 'insecure-permissions'
  | 'corrupt';

/**
 * Thrown by the file functions of `@msc/identity/node` (identity key files and known-peers files):
 * - `not-found`: the file does not exist;
 * - `folder-not-found`: writing the file failed because its folder does not exist (the message names
 *   the folder; create it, or pass a path in an existing folder);
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

/**
 * The error for a write to `path` that failed with `ENOENT` (the folder `path` is in does not
 * exist), or `error` itself for any other failure. Names the folder, resolved, rather than the
 * temporary file the write was using.
 */
export function folderNotFoundOr(error: unknown, path: string): unknown {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') return error;
  const folder = resolve(dirname(path));
  return new IdentityFileError(
    'folder-not-found',
    path,
    `expected the folder ${folder} to exist to hold ${path}, found none; create it first ` +
      `(mkdir -p ${JSON.stringify(folder)}, or fs.mkdir(folder, { recursive: true })), or pass a path in an existing folder`,
    { cause: error },
  );
}
