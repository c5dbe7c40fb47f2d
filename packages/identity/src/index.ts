/**
 * @msc/identity: ed25519 identities for MSC sessions.
 *
 * - {@link Identity}: an ed25519 key pair with an optional display name; {@link PublicIdentity}:
 *   its public half with a human-checkable fingerprint.
 * - {@link identityAuthenticator}: the session's mutual authenticator. Both sides sign a digest of
 *   the whole handshake (hello transcript with both nonces, negotiated version, channel binding,
 *   both keys, the signer's role), so replayed, reflected and relayed handshakes fail.
 * - Admission policies: {@link allowAll}, {@link allowList}, {@link trustOnFirstUse},
 *   {@link customAdmission}. A refused peer is told why.
 * - Files (key files with mode 0600, known-peers files) live in `@msc/identity/node`, so browsers
 *   never load `node:fs`.
 *
 * The core runs in browsers and on Node: signatures use `@noble/ed25519` with WebCrypto's SHA-512.
 *
 * @example
 * ```ts
 * import { Identity, allowList, identityAuthenticator, memoryKnownPeers, trustOnFirstUse } from '@msc/identity';
 *
 * const server = await Identity.generate({ name: 'lobby' });
 * const player = await Identity.generate({ name: 'ada' });
 * console.log(`${player.publicIdentity}`); // "ada (xxxx-xxxx-…)": compare out of band
 *
 * // The server admits only the players it knows; the player trusts the server's key on first use.
 * const serverAuthenticator = identityAuthenticator({
 *   identity: server,
 *   admission: allowList([player.publicIdentity]),
 * });
 * const playerAuthenticator = identityAuthenticator({
 *   identity: player,
 *   admission: trustOnFirstUse({ knownPeers: memoryKnownPeers() }),
 * });
 * // Hand each to its session (the session runs `authenticate()` during establishment); the
 * // session's `remoteIdentity(proxy)` then returns the peer's PublicIdentity.
 * ```
 *
 * @packageDocumentation
 */

export type {
  AdmissionAnswer,
  AdmissionDecision,
  AdmissionPolicy,
  AdmissionRefusalCode,
  AdmissionRequest,
} from './admission-policy.ts';
export { admit, allowAll, customAdmission, refuse } from './admission-policy.ts';
export { allowList } from './allow-list.ts';
export { MAX_DISPLAY_NAME_BYTES, validateDisplayName } from './display-name.ts';
export type { HandshakeMessageKind } from './handshake-messages.ts';
export { HANDSHAKE_FORMAT_VERSION, MAX_REASON_BYTES } from './handshake-messages.ts';
export type { IdentityOptions, WebCryptoKeyPair } from './identity.ts';
export { Identity, SECRET_KEY_LENGTH } from './identity.ts';
export type { IdentityAuthenticatorOptions } from './identity-authenticator.ts';
export { IDENTITY_SCHEME, identityAuthenticator } from './identity-authenticator.ts';
export type { IdentityFormatErrorCode } from './identity-format-error.ts';
export { IdentityFormatError } from './identity-format-error.ts';
export type { KnownPeers } from './known-peers.ts';
export { memoryKnownPeers } from './known-peers.ts';
export { areConfusableNames, displayNameSkeleton, normalizeDisplayName } from './name-skeleton.ts';
export { PUBLIC_KEY_LENGTH, PublicIdentity, SIGNATURE_LENGTH } from './public-identity.ts';
export type { TrustOnFirstUseOptions } from './trust-on-first-use.ts';
export { DEFAULT_MAX_KNOWN_PEERS, trustOnFirstUse } from './trust-on-first-use.ts';
