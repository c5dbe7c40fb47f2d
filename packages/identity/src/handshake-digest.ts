import type { SessionRole } from '@msc/session';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, lengthPrefixed, uint32, utf8Encode } from './bytes.ts';
import type { PublicIdentity } from './public-identity.ts';

// Domain separation for the two hashes below: a signature made for this handshake cannot be
// mistaken for a signature over anything else the same key signs.
const DIGEST_DOMAIN = utf8Encode('msc-identity handshake digest v1\0');
const SIGNATURE_DOMAIN = utf8Encode('msc-identity handshake signature v1\0');
const roleCodes: Record<SessionRole, number> = { dialer: 1, listener: 2 };

/** What both sides must agree on for a handshake signature to verify. */
export interface HandshakeFacts {
  /** The negotiated protocol version (a downgrade changes it, and so the digest). */
  readonly protocolVersion: number;
  /** The session hello exchange: both fresh nonces, versions offered, scheme names. */
  readonly transcript: Uint8Array;
  /** The connection both sides see; differs on each leg of a relay. */
  readonly channelBinding: Uint8Array;
  readonly dialer: PublicIdentity;
  readonly listener: PublicIdentity;
}

/**
 * The SHA-256 both sides compute over everything the handshake must bind: protocol version,
 * the whole hello transcript, the channel binding, and both public keys with their display names.
 * Variable-length fields are length-prefixed so no two different inputs hash the same bytes.
 */
export function handshakeDigest(facts: HandshakeFacts): Uint8Array {
  return sha256(
    concatBytes(
      DIGEST_DOMAIN,
      uint32(facts.protocolVersion),
      lengthPrefixed(facts.transcript),
      lengthPrefixed(facts.channelBinding),
      facts.dialer.publicKey,
      lengthPrefixed(utf8Encode(facts.dialer.name ?? '')),
      facts.listener.publicKey,
      lengthPrefixed(utf8Encode(facts.listener.name ?? '')),
    ),
  );
}

/**
 * The bytes a side signs: the digest plus the signer's role. Because the role is inside the
 * signature, a signature made as dialer never verifies as the listener's, so a reflected message
 * fails even when both ends use the same key.
 */
export function signedStatement(role: SessionRole, digest: Uint8Array): Uint8Array {
  return concatBytes(SIGNATURE_DOMAIN, Uint8Array.of(roleCodes[role]), digest);
}
