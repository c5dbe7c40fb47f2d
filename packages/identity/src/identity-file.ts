import { open } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-file.ts';
import { base64UrlDecode, base64UrlEncode } from './bytes.ts';
import { readCheckedFile } from './checked-file-read.ts';
import { Identity } from './identity.ts';
import { folderNotFoundOr, IdentityFileError } from './identity-file-error.ts';

/** The `format` field of an identity file. */
const IDENTITY_FILE_FORMAT = 'msc-identity';
/** The `version` field this package writes and reads. */
const IDENTITY_FILE_VERSION = 1;
/** Owner read/write only. */
const OWNER_ONLY = 0o600;
/** An identity file is a few hundred bytes; anything far larger is not one. */
const MAX_IDENTITY_FILE_BYTES = 64 * 1024;

/** Options of {@link saveIdentity}. */
export interface SaveIdentityOptions {
  /** Replace an existing file. Default `false`: an existing file is an error (`exists`). */
  readonly overwrite?: boolean | undefined;
}

/**
 * Writes `identity` (secret key, public key, fingerprint, display name) to `path` as a small JSON
 * document, created with mode 0600 (owner read/write only) and written atomically: a crash leaves
 * either no file or the complete one. The folder must exist.
 *
 * @throws {IdentityFileError} code `exists` when `path` exists and `overwrite` is not set,
 *   `folder-not-found` when its folder does not exist; other file system errors as thrown by `node:fs`.
 */
export async function saveIdentity(
  identity: Identity,
  path: string,
  options: SaveIdentityOptions = {},
): Promise<void> {
  const publicIdentity = identity.publicIdentity;
  const document = {
    format: IDENTITY_FILE_FORMAT,
    version: IDENTITY_FILE_VERSION,
    ...(publicIdentity.name === undefined ? {} : { name: publicIdentity.name }),
    fingerprint: publicIdentity.fingerprint,
    publicKey: publicIdentity.publicKeyText,
    secretKey: base64UrlEncode(identity.exportSecretKey()),
  };
  try {
    await writeFileAtomically(path, `${JSON.stringify(document, null, 2)}\n`, {
      mode: OWNER_ONLY,
      exclusive: options.overwrite !== true,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new IdentityFileError(
        'exists',
        path,
        `expected no file at ${path} (an identity is never overwritten silently), found one`,
        {
          cause: error,
        },
      );
    }
    throw folderNotFoundOr(error, path);
  }
}

/**
 * Reads an identity written by {@link saveIdentity}. Before reading, checks that the file is a
 * regular file that only its owner can access (on POSIX systems; Windows has no mode bits to check).
 * The content is checked in full: format and version, key lengths, and that the stored public key
 * and fingerprint belong to the secret key.
 *
 * @throws {IdentityFileError} code `not-found`, `insecure-permissions` (the message says how to
 *   fix it) or `corrupt`.
 */
export async function loadIdentity(path: string): Promise<Identity> {
  let text: string;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new IdentityFileError('not-found', path, `expected an identity file at ${path}, found none`, {
        cause: error,
      });
    }
    throw error;
  }
  try {
    text = await readCheckedFile(handle, {
      forbiddenMode: 0o077,
      maxBytes: MAX_IDENTITY_FILE_BYTES,
      notRegularFile: () =>
        new IdentityFileError(
          'insecure-permissions',
          path,
          `expected ${path} to be a regular file, found something else`,
        ),
      insecureMode: (mode) =>
        new IdentityFileError(
          'insecure-permissions',
          path,
          `expected identity file ${path} to be accessible by its owner only (mode 0600), found mode 0${mode.toString(8)}; ` +
            `anyone who can read it can act as this identity: run \`chmod 600 ${path}\` if it is still secret, or make a new identity`,
        ),
      tooLarge: (size) => corrupt(path, `expected at most ${MAX_IDENTITY_FILE_BYTES} bytes, found ${size}`),
    });
  } finally {
    await handle.close();
  }
  return parseIdentityFile(text, path);
}

/**
 * Loads the identity at `path`, or when there is no file yet, generates one (with `options.name`)
 * and saves it there. Two processes racing to create the same file end up with the same identity:
 * the loser of the exclusive create loads the winner's file.
 *
 * @throws {IdentityFileError} as {@link loadIdentity}; `folder-not-found` when the file is missing
 *   and so is its folder.
 */
export async function loadOrCreateIdentity(
  path: string,
  options: { readonly name?: string | undefined } = {},
): Promise<Identity> {
  try {
    return await loadIdentity(path);
  } catch (error) {
    if (!(error instanceof IdentityFileError && error.code === 'not-found')) throw error;
  }
  const identity = await Identity.generate(options);
  try {
    await saveIdentity(identity, path);
    return identity;
  } catch (error) {
    if (error instanceof IdentityFileError && error.code === 'exists') return loadIdentity(path);
    throw error;
  }
}

async function parseIdentityFile(text: string, path: string): Promise<Identity> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, 'expected JSON, found text that does not parse', error);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw corrupt(path, 'expected a JSON object');
  }
  const fields = document as Record<string, unknown>;
  if (fields['format'] !== IDENTITY_FILE_FORMAT) {
    throw corrupt(
      path,
      `expected format ${JSON.stringify(IDENTITY_FILE_FORMAT)}, found ${JSON.stringify(fields['format'])}`,
    );
  }
  if (fields['version'] !== IDENTITY_FILE_VERSION) {
    throw corrupt(
      path,
      `expected version ${IDENTITY_FILE_VERSION}, found ${JSON.stringify(fields['version'])}`,
    );
  }
  const secretKey =
    typeof fields['secretKey'] === 'string' ? base64UrlDecode(fields['secretKey']) : undefined;
  if (secretKey === undefined || secretKey.length !== 32) {
    throw corrupt(path, 'expected "secretKey" as 32 bytes of base64url');
  }
  const name = fields['name'];
  if (name !== undefined && typeof name !== 'string')
    throw corrupt(path, 'expected "name" to be a string when present');
  let identity: Identity;
  try {
    identity = await Identity.fromSecretKey(secretKey, name === undefined ? {} : { name });
  } catch (error) {
    throw corrupt(path, (error as Error).message, error);
  }
  // The public key and fingerprint are redundant; a mismatch means the file was damaged or edited.
  if (fields['publicKey'] !== identity.publicIdentity.publicKeyText) {
    throw corrupt(path, 'expected "publicKey" to be the public key of "secretKey", found another value');
  }
  if (fields['fingerprint'] !== undefined && fields['fingerprint'] !== identity.fingerprint) {
    throw corrupt(path, 'expected "fingerprint" to be the fingerprint of the key, found another value');
  }
  return identity;
}

function corrupt(path: string, detail: string, cause?: unknown): IdentityFileError {
  return new IdentityFileError(
    'corrupt',
    path,
    `identity file ${path} is corrupt: ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}
