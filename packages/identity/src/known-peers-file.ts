import type { BigIntStats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-file.ts';
import { checkOpenedFile, type FileReadChecks } from './checked-file-read.ts';
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
 * and `list` checks the file (its device, inode, size and modification time, on the opened file),
 * so removing an entry by hand takes effect at once; the entries are parsed and validated again
 * only when the file changed, otherwise the store answers from the entries it parsed last (its own
 * `set` updates them). `list` returns the same frozen array while the file is unchanged. Names are
 * stored in NFC.
 *
 * The file decides whom this process trusts, so it is refused (code `insecure-permissions`, with
 * the `chmod 600` to run) when group or others can write it, or when it is not a regular file; a
 * file over 16 MiB is refused as `corrupt`, and `set` refuses (`RangeError`) to write one, so the
 * store never makes itself unreadable. Each `set` rewrites the file atomically (temporary file +
 * rename), so a crash never leaves half a file; `set`s from this store are serialised, but two
 * processes sharing one file may lose each other's additions.
 *
 * `get`, `set` and `list` throw {@link IdentityFileError} code `corrupt` when the file is not valid
 * (a damaged file is never overwritten: fix or remove it), `insecure-permissions` as above; `set`
 * throws `folder-not-found` when the file's folder does not exist.
 */
export function knownPeersFile(path: string): KnownPeers {
  let queue: Promise<unknown> = Promise.resolve();
  // The entries last parsed or written, with the status of the file they came from.
  let cached: ParsedPeers | undefined;
  const read = async (): Promise<ParsedPeers> => {
    cached = await readPeers(path, cached);
    return cached;
  };
  return {
    async get(name) {
      return (await read()).byName.get(normalizeDisplayName(name));
    },
    async list() {
      return (await read()).list;
    },
    set(name, identity) {
      const task = async () => {
        const normalized = normalizeDisplayName(name);
        // A copy: the cached entries stay as they are if the write fails.
        const byName = new Map((await read()).byName);
        byName.set(normalized, identity.withName(normalized));
        cached = await writePeers(path, byName);
      };
      const result = queue.then(task, task);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

/** Known peers parsed from (or written to) the file whose status is `signature`. */
interface ParsedPeers {
  /** Identifies one version of the file: device, inode, size and modification time. */
  readonly signature: string | undefined;
  readonly byName: ReadonlyMap<string, PublicIdentity>;
  readonly list: readonly PublicIdentity[];
}

const NO_PEERS: ParsedPeers = { signature: undefined, byName: new Map(), list: Object.freeze([]) };

function parsedPeers(signature: string, byName: ReadonlyMap<string, PublicIdentity>): ParsedPeers {
  return { signature, byName, list: Object.freeze([...byName.values()]) };
}

/**
 * Every path out of a write or an edit by hand changes at least one of these: a rename (ours, or
 * an editor's) brings another inode, an edit in place another size or modification time.
 */
function signatureOf(status: BigIntStats): string {
  return `${status.dev}:${status.ino}:${status.size}:${status.mtimeNs}`;
}

/** The file's peers: `previous` when the file has not changed since, else parsed anew. */
async function readPeers(path: string, previous: ParsedPeers | undefined): Promise<ParsedPeers> {
  const handle = await openIfPresent(path);
  if (handle === undefined) return NO_PEERS;
  try {
    const signature = signatureOf(await checkOpenedFile(handle, knownPeersFileChecks(path)));
    if (previous?.signature === signature) return previous;
    return parsedPeers(signature, parsePeers(path, await handle.readFile('utf8')));
  } finally {
    await handle.close();
  }
}

/** Writes `byName` as the whole file, refusing one too large to be read back. */
async function writePeers(path: string, byName: ReadonlyMap<string, PublicIdentity>): Promise<ParsedPeers> {
  const document = {
    format: KNOWN_PEERS_FORMAT,
    version: KNOWN_PEERS_VERSION,
    peers: [...byName.values()].map((peer) => peer.toJSON()),
  };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const bytes = Buffer.byteLength(text, 'utf8');
  // Past the read limit the file would be refused as corrupt, locking out every known peer.
  if (bytes > MAX_KNOWN_PEERS_FILE_BYTES) {
    throw new RangeError(
      `expected known peers file ${path} to stay within ${MAX_KNOWN_PEERS_FILE_BYTES} bytes, but ${byName.size} peers ` +
        `take ${bytes}; the entry was not added: remove unused entries, or lower trustOnFirstUse's maxKnownPeers`,
    );
  }
  try {
    const written = await writeFileAtomically(path, text, { mode: 0o600, exclusive: false });
    return parsedPeers(signatureOf(written), byName);
  } catch (error) {
    throw folderNotFoundOr(error, path);
  }
}

/**
 * Validates the whole file: every key is decoded and checked as a curve point, every fingerprint
 * recomputed, so this costs time in proportion to the entries; {@link readPeers} calls it only
 * when the file changed.
 */
function parsePeers(path: string, text: string): Map<string, PublicIdentity> {
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

/** The opened file, or `undefined` when there is none. */
async function openIfPresent(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** What a known-peers file must be, checked on the opened file itself (see `checkOpenedFile`). */
function knownPeersFileChecks(path: string): FileReadChecks {
  return {
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
    tooLarge: (size) => corrupt(path, `expected at most ${MAX_KNOWN_PEERS_FILE_BYTES} bytes, found ${size}`),
  };
}

function corrupt(path: string, detail: string, cause?: unknown): IdentityFileError {
  return new IdentityFileError(
    'corrupt',
    path,
    `known peers file ${path} is corrupt: ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}
