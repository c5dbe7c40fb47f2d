import { type AdmissionPolicy, admit, refuse } from './admission-policy.ts';
import type { KnownPeers } from './known-peers.ts';
import type { PublicIdentity } from './public-identity.ts';

/** Options of {@link trustOnFirstUse}. */
export interface TrustOnFirstUseOptions {
  /** Where name → key pairs are remembered. */
  readonly knownPeers: KnownPeers;
  /** Called after a new name was remembered. */
  readonly onFirstUse?: (peer: PublicIdentity) => void;
  /**
   * Called when a known name shows up with another key, before the peer is refused: log it where
   * an operator will see it, since it may be an impersonation attempt.
   */
  readonly onKeyChange?: (event: {
    readonly name: string;
    readonly known: PublicIdentity;
    readonly presented: PublicIdentity;
  }) => void;
}

/**
 * Trust on first use (as SSH does with host keys): the first key seen for a display name is
 * remembered and admitted; later sessions under that name must present the same key. A different
 * key for a known name is refused with a message that names both fingerprints, and the known-peers
 * store is left unchanged: to accept a legitimately new key, remove the old entry by hand.
 *
 * Peers without a display name are refused (there is nothing to remember them by). Decisions are
 * serialised within this policy so two concurrent first sessions under one name cannot both be
 * remembered. The first session under a name is, by construction, not protected: compare the
 * fingerprint out of band when that matters.
 */
export function trustOnFirstUse(options: TrustOnFirstUseOptions): AdmissionPolicy {
  const { knownPeers } = options;
  // Check-then-remember must be atomic; one chain per policy is enough (decisions are quick).
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task, task);
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    admit(peer) {
      return exclusive(async () => {
        const name = peer.name;
        if (name === undefined)
          return refuse('trust on first use needs a display name, and this peer has none');
        const known = await knownPeers.get(name);
        if (known === undefined) {
          await knownPeers.set(name, peer);
          options.onFirstUse?.(peer);
          return admit();
        }
        if (known.equals(peer)) return admit();
        options.onKeyChange?.({ name, known, presented: peer });
        return refuse(
          `the public key of known peer ${JSON.stringify(name)} changed: known fingerprint ${known.fingerprint}, ` +
            `presented ${peer.fingerprint}; this may be an impersonation, so the peer is refused ` +
            '(if the change is expected, remove the old entry from the known peers)',
        );
      });
    },
  };
}
