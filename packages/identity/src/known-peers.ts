import { normalizeDisplayName } from './name-skeleton.ts';
import type { PublicIdentity } from './public-identity.ts';

/**
 * Where trust on first use remembers which key belongs to which name. `@msc/identity/node` has a
 * file-backed one (`knownPeersFile`); {@link memoryKnownPeers} keeps them for the life of the
 * process. Names are keys in their NFC form (see `normalizeDisplayName`): implementations store
 * and look up `name.normalize('NFC')`.
 */
export interface KnownPeers {
  /** The identity remembered under `name`, or `undefined`. */
  get(name: string): Promise<PublicIdentity | undefined>;
  /** Remembers `identity` under `name` (replacing an entry is the caller's decision). */
  set(name: string, identity: PublicIdentity): Promise<void>;
  /**
   * Every remembered identity, each carrying the name it is remembered under (for look-alike
   * checks). A store may return the same array again while nothing changed (never changing it in
   * place): trust on first use then reuses the index it built over it instead of building a new
   * one per decision. The built-in stores do.
   */
  list(): Promise<readonly PublicIdentity[]>;
}

/**
 * Known peers held in memory (lost when the process ends); optionally seeded with `initial`.
 * `list` returns the same frozen array until the next `set`.
 */
export function memoryKnownPeers(initial: Iterable<PublicIdentity> = []): KnownPeers {
  const peers = new Map<string, PublicIdentity>();
  for (const identity of initial) {
    if (identity.name === undefined)
      throw new TypeError('expected known peers with a display name, got one without');
    const name = normalizeDisplayName(identity.name);
    peers.set(name, identity.withName(name));
  }
  // Built on the first `list` after a change, so a decision does not copy every peer.
  let list: readonly PublicIdentity[] | undefined;
  return {
    async get(name) {
      return peers.get(normalizeDisplayName(name));
    },
    async set(name, identity) {
      const normalized = normalizeDisplayName(name);
      peers.set(normalized, identity.withName(normalized));
      list = undefined;
    },
    async list() {
      list ??= Object.freeze([...peers.values()]);
      return list;
    },
  };
}
