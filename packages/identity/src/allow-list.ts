import { type AdmissionPolicy, admit, refuse } from './admission-policy.ts';
import { IdentityFormatError } from './identity-format-error.ts';
import { PublicIdentity } from './public-identity.ts';

/**
 * Admits only the listed identities. Each entry is a {@link PublicIdentity}, a public key as text
 * (`ed25519:…`, see {@link PublicIdentity.publicKeyText}) or a fingerprint (case, dashes and
 * spaces ignored). Names play no part: a peer is matched by its key. The list is copied.
 *
 * A refused peer is told `not on the allow list` with its own fingerprint, so its operator knows
 * what to ask for.
 *
 * @throws {IdentityFormatError} code `text` for an entry that is neither a public key nor a
 *   well-formed fingerprint (a typo must not silently shrink the list).
 */
export function allowList(entries: Iterable<PublicIdentity | string>): AdmissionPolicy {
  const keys = new Set<string>();
  const fingerprints = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== 'string') keys.add(entry.publicKeyText);
    else if (entry.startsWith('ed25519:')) keys.add(PublicIdentity.fromText(entry).publicKeyText);
    else {
      const fingerprint = entry.toLowerCase().replace(/[\s-]/g, '');
      if (!/^[a-z2-7]{32}$/.test(fingerprint)) {
        throw new IdentityFormatError(
          'text',
          `expected an allow-list entry as a public key ("ed25519:…") or a 32-character base32 fingerprint, got ${JSON.stringify(entry)}`,
        );
      }
      fingerprints.add(fingerprint);
    }
  }
  return {
    async admit(peer) {
      if (keys.has(peer.publicKeyText) || fingerprints.has(peer.fingerprint.replaceAll('-', '')))
        return admit();
      return refuse(`not on the allow list (fingerprint ${peer.fingerprint})`);
    },
  };
}
