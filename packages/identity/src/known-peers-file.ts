import { open } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-file.ts';
import { readCheckedFile } from './checked-file-read.ts';
import { folderNotFoundOr, IdentityFileError } from './identity-file-error.ts';
import type { KnownPeers } from './known-peers.ts';
import { normalizeDisplayName } from './name-skeleton.ts';
import { PublicIdentity } from './public-identity.ts';

const KNOWN_PEERS_FORMAT = 'msc-known-peers';
const KNOWN_PEERS_VERSION = 1;
/** Group- or other-writable: whoever can write the file can make this process trust any key. */
const WRITABLE_BY_OTHERS = 0o022;
/** A known-peers file is about 150 bytes per peer; 16 MiB is over 100,000 peers. */
const MAX_KNOWN_PEERS_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Known peers kept in a JSON file at `path`, for {@link trustOnFirstUse}:
 * ```json
 * { "format": "msc-known-peers", "version": 1,
 *   "peers": [{ "name": "alice", "fingerprint": "…", "publicKey": "ed25519:…" }] }
 * ```
 * A missing file means no known peers; it is created (mode 0600) on the first `set`. Every `get`
 * reads the file, so removing an entry by hand takes effect at once. Names are stored in NFC.
 *
 * The file decides whom this process trusts, so it is refused (code `insecure-permissions`, with
 * the `chmod 600` to run) when group or others can write it, or when it is not a regular file; a
 * file over 16 MiB is refused as `corrupt`. Each `set` rewrites the file
 * atomically (temporary file + rename), so a crash never leaves half a file; `set`s from this store
 * are serialised, but two processes sharing one file may lose each other's additions.
 *
 * `get`, `set` and `list` throw {@link IdentityFileError} code `corrupt` when the file is not valid
 * (a damaged file is never overwritten: fix or remove it), `insecure-permissions` as above; `set`
 * throws `folder-not-found` when the file's folder does not exist.
 */
export function knownPeersFile(path: string): KnownPeers {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    async get(name) {
      return (await readPeers(path)).get(normalizeDisplayName(name));
    },
    async list() {
      return [...(await readPeers(path)).values()];
    },
    set(name, identity) {
      const task = async () => {
        const peers = await readPeers(path);
        const normalized = normalizeDisplayName(name);
        peers.set(normalized, identity.withName(normalized));
        const document = {
          format: KNOWN_PEERS_FORMAT,
          version: KNOWN_PEERS_VERSION,
          peers: [...peers.values()].map((peer) => peer.toJSON()),
        };
        try {
          await writeFileAtomically(path, `${JSON.stringify(document, null, 2)}\n`, {
            mode: 0o600,
            exclusive: false,
          });
        } catch (error) {
          throw folderNotFoundOr(error, path);
        }
      };
      const result = queue.then(task, task);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

async function readPeers(path: string): Promise<Map<string, PublicIdentity>> {
  const text = await readTrustedFile(path);
  if (text === undefined) return new Map();
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, 'expected JSON, found text that does not parse', error);
  }
  const fields = (typeof document === 'object' && document !== null ? document : {}) as Record<
    string,
    unknown
  >;
  if (fields['format'] !== KNOWN_PEERS_FORMAT || fields['version'] !== KNOWN_PEERS_VERSION) {
    throw corrupt(
      path,
      `expected format ${JSON.stringify(KNOWN_PEERS_FORMAT)} version ${KNOWN_PEERS_VERSION}`,
    );
  }
  if (!Array.isArray(fields['peers'])) throw corrupt(path, 'expected "peers" to be an array');
  const peers = new Map<string, PublicIdentity>();
  for (const [index, entry] of (fields['peers'] as unknown[]).entries()) {
    const { name, publicKey, fingerprint } = (
      typeof entry === 'object' && entry !== null ? entry : {}
    ) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof publicKey !== 'string') {
      throw corrupt(path, `expected peers[${index}] to have a string "name" and "publicKey"`);
    }
    let identity: PublicIdentity;
    try {
      identity = PublicIdentity.fromText(publicKey, name);
    } catch (error) {
      throw corrupt(path, `peers[${index}]: ${(error as Error).message}`, error);
    }
    if (fingerprint !== undefined && fingerprint !== identity.fingerprint) {
      throw corrupt(
        path,
        `expected peers[${index}].fingerprint to match its public key, found another value`,
      );
    }
    const normalized = normalizeDisplayName(name);
    if (peers.has(normalized))
      throw corrupt(path, `expected each name once (in NFC), found ${JSON.stringify(normalized)} twice`);
    peers.set(normalized, identity.withName(normalized));
  }
  return peers;
}

/**
 * The file's text, or `undefined` when there is none. Checks the opened file itself (fstat), so a
 * swap between the check and the read cannot slip another file through.
 */
async function readTrustedFile(path: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return await readCheckedFile(handle, {
      forbiddenMode: WRITABLE_BY_OTHERS,
      maxBytes: MAX_KNOWN_PEERS_FILE_BYTES,
      notRegularFile: () =>
        new IdentityFileError(
          'insecure-permissions',
          path,
          `expected known peers file ${path} to be a regular file, found something else`,
        ),
      insecureMode: (mode) =>
        new IdentityFileError(
          'insecure-permissions',
          path,
          `expected known peers file ${path} to be writable by its owner only (mode 0600), found mode 0${mode.toString(8)}; ` +
            `anyone who can write it can make this process trust their key under any name: check its entries, then run \`chmod 600 ${path}\``,
        ),
      tooLarge: (size) =>
        corrupt(path, `expected at most ${MAX_KNOWN_PEERS_FILE_BYTES} bytes, found ${size}`),
    });
  } finally {
    await handle.close();
  }
}

function corrupt(path: string, detail: string, cause?: unknown): IdentityFileError {
  return new IdentityFileError(
    'corrupt',
    path,
    `known peers file ${path} is corrupt: ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}
