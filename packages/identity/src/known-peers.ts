import type { PublicIdentity } from './public-identity.ts';

/**
 * Where trust on first use remembers which key belongs to which name. `@msc/identity/node` has a
 * file-backed one (`knownPeersFile`); {@link memoryKnownPeers} keeps them for the life of the
 * process.
 */
export interface KnownPeers {
  /** The identity remembered under `name`, or `undefined`. */
  get(name: string): Promise<PublicIdentity | undefined>;
  /** Remembers `identity` under `name` (replacing an entry is the caller's decision). */
  set(name: string, identity: PublicIdentity): Promise<void>;
}

/** Known peers held in memory (lost when the process ends); optionally seeded with `initial`. */
export function memoryKnownPeers(initial: Iterable<PublicIdentity> = []): KnownPeers {
  const peers = new Map<string, PublicIdentity>();
  for (const identity of initial) {
    if (identity.name === undefined)
      throw new TypeError('expected known peers with a display name, got one without');
    peers.set(identity.name, identity);
  }
  return {
    async get(name) {
      return peers.get(name);
    },
    async set(name, identity) {
      peers.set(name, identity.withName(name));
    },
  };
}
