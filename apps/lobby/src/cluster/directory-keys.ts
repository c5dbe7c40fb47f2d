/**
 * The Redis keys of one cluster's directory, all under one prefix (default `msc:lobby:`), so several
 * clusters (or tests) can share a Redis. The scripts build a node's lease and owned-set keys from the
 * prefix: the directory needs one Redis (not Redis Cluster), as it is advertisement only.
 */
export interface DirectoryKeys {
  readonly prefix: string;
  /** Counter of epochs (every registration takes the next one). */
  readonly epoch: string;
  /** Hash: node name → its record (JSON: epoch, address, fingerprint, public key). */
  readonly nodes: string;
  /** Hash: game id → its entry (JSON: owner, epoch, summary). */
  readonly games: string;
  /** Stream of changes: `k` (put, del, node-up, node-down), `id`, `v` (entry or record), `why`. */
  readonly events: string;
  /** String with an expiry: a node's lease; its value is the node's epoch. */
  readonly lease: (node: string) => string;
  /** Set: the ids of the games a node published. */
  readonly owned: (node: string) => string;
  /**
   * String with an expiry: the reservation of a creation request (its `requestKey` hash), JSON
   * `{"game":id,"node":name}` (see `request-reservations.ts`).
   */
  readonly request: (key: string) => string;
}

/** The default key prefix. */
export const defaultKeyPrefix = 'msc:lobby:';

/** The keys under `prefix`. */
export function directoryKeys(prefix: string = defaultKeyPrefix): DirectoryKeys {
  return {
    prefix,
    epoch: `${prefix}epoch`,
    nodes: `${prefix}nodes`,
    games: `${prefix}games`,
    events: `${prefix}events`,
    lease: (node) => `${prefix}lease:${node}`,
    owned: (node) => `${prefix}owned:${node}`,
    request: (key) => `${prefix}request:${key}`,
  };
}
