import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-file.ts';
import { IdentityFileError } from './identity-file-error.ts';
import type { KnownPeers } from './known-peers.ts';
import { PublicIdentity } from './public-identity.ts';

const KNOWN_PEERS_FORMAT = 'msc-known-peers';
const KNOWN_PEERS_VERSION = 1;

/**
 * Known peers kept in a JSON file at `path`, for {@link trustOnFirstUse}:
 * ```json
 * { "format": "msc-known-peers", "version": 1,
 *   "peers": [{ "name": "alice", "fingerprint": "…", "publicKey": "ed25519:…" }] }
 * ```
 * A missing file means no known peers; it is created (mode 0600) on the first `set`. Every `get`
 * reads the file, so removing an entry by hand takes effect at once. Each `set` rewrites the file
 * atomically (temporary file + rename), so a crash never leaves half a file; `set`s from this store
 * are serialised, but two processes sharing one file may lose each other's additions.
 *
 * `get` and `set` throw {@link IdentityFileError} code `corrupt` when the file is not valid (a
 * damaged file is never overwritten: fix or remove it).
 */
export function knownPeersFile(path: string): KnownPeers {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    async get(name) {
      return (await readPeers(path)).get(name);
    },
    set(name, identity) {
      const task = async () => {
        const peers = await readPeers(path);
        peers.set(name, identity.withName(name));
        const document = {
          format: KNOWN_PEERS_FORMAT,
          version: KNOWN_PEERS_VERSION,
          peers: [...peers.values()].map((peer) => peer.toJSON()),
        };
        await writeFileAtomically(path, `${JSON.stringify(document, null, 2)}\n`, {
          mode: 0o600,
          exclusive: false,
        });
      };
      const result = queue.then(task, task);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

async function readPeers(path: string): Promise<Map<string, PublicIdentity>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
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
    if (peers.has(name)) throw corrupt(path, `expected each name once, found ${JSON.stringify(name)} twice`);
    peers.set(name, identity);
  }
  return peers;
}

function corrupt(path: string, detail: string, cause?: unknown): IdentityFileError {
  return new IdentityFileError(
    'corrupt',
    path,
    `known peers file ${path} is corrupt: ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}
