import { type AdmissionPolicy, admit, refuse } from './admission-policy.ts';
import type { KnownPeers } from './known-peers.ts';
import { displayNameSkeleton, normalizeDisplayName } from './name-skeleton.ts';
import type { PublicIdentity } from './public-identity.ts';

/** Options of {@link trustOnFirstUse}. */
export interface TrustOnFirstUseOptions {
  /** Where name → key pairs are remembered. */
  readonly knownPeers: KnownPeers;
  /**
   * The most peers the store may hold (default {@link DEFAULT_MAX_KNOWN_PEERS}, 10,000); a whole
   * number, 0 or more. Once the store holds this many, a new name is refused (`known-peers-full`)
   * while known peers are still admitted: to let new peers in, remove unused entries from the store
   * or raise this limit.
   *
   * Without a bound, anyone can fill the store by connecting under fresh names (with fresh keys),
   * and with `knownPeersFile` the file would in the end pass the 16 MiB a known-peers file may
   * hold. 10,000 entries are about 1.5 MB of file, and parsing them when the file changes takes
   * about 1.6 s (about 0.16 ms per entry, measured on Node 20); raise it if you expect more peers.
   */
  readonly maxKnownPeers?: number | undefined;
  /** Called after a new name was remembered. */
  readonly onFirstUse?: ((peer: PublicIdentity) => void) | undefined;
  /**
   * Called when a known name shows up with another key, before the peer is refused: log it where
   * an operator will see it, since it may be an impersonation attempt.
   */
  readonly onKeyChange?:
    | ((event: {
        readonly name: string;
        readonly known: PublicIdentity;
        readonly presented: PublicIdentity;
      }) => void)
    | undefined;
  /**
   * Called when a new name looks like a known peer's name (`Alice`, `alice` with a zero-width
   * space or a Cyrillic `а`, next to a known `alice`), before the peer is refused: like a key
   * change, it may be an impersonation attempt.
   */
  readonly onConfusableName?:
    | ((event: {
        readonly name: string;
        readonly known: PublicIdentity;
        readonly presented: PublicIdentity;
      }) => void)
    | undefined;
}

/** The default of {@link TrustOnFirstUseOptions.maxKnownPeers}. */
export const DEFAULT_MAX_KNOWN_PEERS = 10_000;

/**
 * Trust on first use (as SSH does with host keys): the first key seen for a display name is
 * remembered and admitted; later sessions under that name must present the same key. A different
 * key for a known name is refused (`key-changed`) with a message that names both fingerprints, and
 * the known-peers store is left unchanged: to accept a legitimately new key, remove the old entry
 * by hand.
 *
 * Names are compared as people read them: in NFC (a decomposed `é` is the same name), and a new
 * name whose skeleton equals a known peer's (case, invisible characters, accents, Cyrillic/Greek
 * look-alikes: see `displayNameSkeleton`) is refused (`confusable-name`) unless it is the same key.
 * So nobody can be admitted as `Alice` or `аlice` next to a known `alice`.
 *
 * A known key may come under a new name (a player renaming keeps their key): the new name is
 * remembered as any new name is. Once the store holds `maxKnownPeers` peers, a new name is refused
 * (`known-peers-full`); known peers are still admitted, so a peer filling the store with names
 * (under one key or many) shuts out newcomers only, until its operator prunes the store.
 *
 * Peers without a display name are refused (`no-display-name`). Decisions are serialised within
 * this policy so two concurrent first sessions under one name cannot both be remembered; a queued
 * decision whose `request.signal` aborted meanwhile (its session ended) throws the abort reason
 * instead of running. The first session under a name is, by construction, not protected: compare
 * the fingerprint out of band when that matters. A first use looks names and keys up in an index
 * over `knownPeers.list()`, rebuilt only when the store returns another array (the built-in stores
 * return the same one until they change).
 *
 * @throws {RangeError} when `maxKnownPeers` is not a whole number of 0 or more.
 */
export function trustOnFirstUse(options: TrustOnFirstUseOptions): AdmissionPolicy {
  const { knownPeers } = options;
  const maxKnownPeers = validMaxKnownPeers(options.maxKnownPeers ?? DEFAULT_MAX_KNOWN_PEERS);
  // Check-then-remember must be atomic; one chain per policy is enough (decisions are quick).
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task, task);
    queue = result.catch(() => undefined);
    return result;
  };
  let indexed: { readonly peers: readonly PublicIdentity[]; readonly index: KnownPeersIndex } | undefined;
  const indexOf = (peers: readonly PublicIdentity[]): KnownPeersIndex => {
    if (indexed?.peers !== peers) indexed = { peers, index: indexPeers(peers) };
    return indexed.index;
  };

  const admitNewName = async (name: string, peer: PublicIdentity, signal: AbortSignal) => {
    const peers = await knownPeers.list();
    const index = indexOf(peers);
    const lookAlike = index.bySkeleton.get(displayNameSkeleton(name));
    // The same key under a look-alike name is the same party (it changed its spelling).
    if (lookAlike?.equals(peer)) return admit();
    if (lookAlike !== undefined) {
      options.onConfusableName?.({ name, known: lookAlike, presented: peer });
      return refuse(
        `confusable-name: the display name ${JSON.stringify(name)} looks like known peer ` +
          `${JSON.stringify(lookAlike.name)} (fingerprint ${lookAlike.fingerprint}); this may be an ` +
          'impersonation, so the peer is refused: choose a name that differs in more than case, ' +
          'accents, invisible characters or look-alike letters',
        'confusable-name',
      );
    }
    if (peers.length >= maxKnownPeers) {
      return refuse(
        `known-peers-full: the known-peers store holds ${peers.length} peers, at its limit of ` +
          `${maxKnownPeers} (trustOnFirstUse's maxKnownPeers), so no new name is admitted; ` +
          'its operator can remove unused entries from the store or raise maxKnownPeers',
        'known-peers-full',
      );
    }
    // Reading the store took time: do not remember a peer whose session has ended meanwhile.
    signal.throwIfAborted();
    await knownPeers.set(name, peer);
    options.onFirstUse?.(peer);
    return admit();
  };

  return {
    admit(peer, request) {
      return exclusive(async () => {
        // A decision waits behind the others: its session may have ended (handshake timeout) by now.
        request.signal.throwIfAborted();
        if (peer.name === undefined) {
          return refuse(
            'no-display-name: trust on first use needs a display name, and this peer has none',
            'no-display-name',
          );
        }
        const name = normalizeDisplayName(peer.name);
        const known = await knownPeers.get(name);
        if (known === undefined) return await admitNewName(name, peer, request.signal);
        if (known.equals(peer)) return admit();
        options.onKeyChange?.({ name, known, presented: peer });
        return refuse(
          `key-changed: the public key of known peer ${JSON.stringify(name)} changed: known fingerprint ${known.fingerprint}, ` +
            `presented ${peer.fingerprint}; this may be an impersonation, so the peer is refused ` +
            '(if the change is expected, remove the old entry from the known peers)',
          'key-changed',
        );
      });
    },
  };
}

/** Known peers by name skeleton; the first in list order wins, as a linear search would. */
interface KnownPeersIndex {
  readonly bySkeleton: ReadonlyMap<string, PublicIdentity>;
}

function indexPeers(peers: readonly PublicIdentity[]): KnownPeersIndex {
  const bySkeleton = new Map<string, PublicIdentity>();
  for (const peer of peers) {
    if (peer.name !== undefined) {
      const skeleton = displayNameSkeleton(peer.name);
      if (!bySkeleton.has(skeleton)) bySkeleton.set(skeleton, peer);
    }
  }
  return { bySkeleton };
}

function validMaxKnownPeers(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`expected maxKnownPeers to be a whole number of 0 or more, but got ${value}`);
  return value;
}
