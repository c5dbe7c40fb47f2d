import { type AdmissionPolicy, admit, refuse } from './admission-policy.ts';
import type { KnownPeers } from './known-peers.ts';
import { displayNameSkeleton, normalizeDisplayName } from './name-skeleton.ts';
import type { PublicIdentity } from './public-identity.ts';

/** Options of {@link trustOnFirstUse}. */
export interface TrustOnFirstUseOptions {
  /** Where name → key pairs are remembered. */
  readonly knownPeers: KnownPeers;
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
 * Peers without a display name are refused (`no-display-name`). Decisions are serialised within
 * this policy so two concurrent first sessions under one name cannot both be remembered. The
 * first session under a name is, by construction, not protected: compare the fingerprint out of
 * band when that matters. A first use reads every known peer once (to compare skeletons), so it
 * costs time in proportion to the store's size.
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
        if (peer.name === undefined) {
          return refuse(
            'no-display-name: trust on first use needs a display name, and this peer has none',
            'no-display-name',
          );
        }
        const name = normalizeDisplayName(peer.name);
        const known = await knownPeers.get(name);
        if (known === undefined) {
          const skeleton = displayNameSkeleton(name);
          const lookAlike = (await knownPeers.list()).find(
            (candidate) => candidate.name !== undefined && displayNameSkeleton(candidate.name) === skeleton,
          );
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
          await knownPeers.set(name, peer);
          options.onFirstUse?.(peer);
          return admit();
        }
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
