import {
  type AuthenticationContext,
  AuthenticationError,
  type Authenticator,
  enableAuthentication,
} from '@msc/session';
import type { AdmissionDecision, AdmissionPolicy } from './admission-policy.ts';
import { handshakeDigest, signedStatement } from './handshake-digest.ts';
import {
  decodeHandshakeMessage,
  encodeHandshakeMessage,
  type HandshakeMessage,
  type HandshakeMessageKind,
} from './handshake-messages.ts';
import type { Identity } from './identity.ts';
import { PublicIdentity } from './public-identity.ts';

/**
 * The scheme name both sides announce in the session hello. The version is part of the name, so a
 * peer speaking another version of this handshake fails at the hello, before any key is shown.
 */
export const IDENTITY_SCHEME = 'msc-ed25519/1';

/** Options of {@link identityAuthenticator}. */
export interface IdentityAuthenticatorOptions {
  /** Who this side is; its public identity (with display name) is shown to the peer. */
  readonly identity: Identity;
  /** Who may in. Required: choose `allowAll()` explicitly to admit every authenticated peer. */
  readonly admission: AdmissionPolicy;
}

/**
 * The ed25519 mutual authenticator for the session handshake. Both sides prove they hold the
 * secret key of the identity they present by signing a digest of the handshake (see
 * `handshakeDigest`), both verify before either admits, and `authenticate()` resolves with the
 * peer's {@link PublicIdentity} only once both sides have admitted each other.
 *
 * Message flow (one message per arrow, all through `context.send`/`receive`):
 * ```
 * dialer                                     listener
 *   introduction(dialer key, name)      →
 *                                       ←    listener-proof(listener key, name, listener signature)
 *   [verifies listener signature]
 *   dialer-proof(dialer signature)      →
 *                                            [verifies dialer signature, runs admission]
 *                                       ←    verdict(listener admits dialer | refuses + reason)
 *   [runs admission]
 *   verdict(dialer admits listener | refuses + reason)  →
 * ```
 *
 * Failures throw `AuthenticationError` (from `@msc/session`), whose message the session sends to
 * the peer: code `protocol` for a malformed or unexpected message, `invalid` for a bad public key
 * or a signature that does not verify, `refused` when an admission policy says no (the refusing
 * side also sends a refused verdict, and the refused side then throws `refused` with the reason).
 *
 * Making one enables authentication in `@msc/session` (`enableAuthentication()`), which its
 * browser entry leaves out: a page using it calls nothing more.
 */
export function identityAuthenticator(options: IdentityAuthenticatorOptions): Authenticator<PublicIdentity> {
  const { identity, admission } = options;
  if (identity === undefined || admission === undefined) {
    throw new TypeError('identityAuthenticator needs both an identity and an admission policy');
  }
  // A page on @msc/session's browser entry carries no authentication exchange until this: a page
  // that authenticates with identities needs no call of its own.
  enableAuthentication();
  return {
    scheme: IDENTITY_SCHEME,
    authenticate(context) {
      return context.role === 'dialer'
        ? authenticateAsDialer(context, identity, admission)
        : authenticateAsListener(context, identity, admission);
    },
  };
}

async function authenticateAsDialer(
  context: AuthenticationContext,
  identity: Identity,
  admission: AdmissionPolicy,
): Promise<PublicIdentity> {
  const self = identity.publicIdentity;
  send(context, { kind: 'introduction', publicKey: self.publicKey, name: self.name });

  const proof = await receive(context, 'listener-proof');
  const peer = peerIdentity(proof.publicKey, proof.name, 'listener');
  const digest = handshakeDigest({ ...facts(context), dialer: self, listener: peer });
  if (!(await peer.verify(signedStatement('listener', digest), proof.signature))) {
    throw invalidSignature('listener', peer);
  }
  const signature = await identity.sign(signedStatement('dialer', digest));
  send(context, { kind: 'dialer-proof', signature });

  // The listener decides first (it is the first to have verified both signatures); its refusal
  // ends the exchange here, before this side runs its own policy.
  await expectAdmitted(context, 'listener');
  await decide(context, admission, peer);
  return peer;
}

async function authenticateAsListener(
  context: AuthenticationContext,
  identity: Identity,
  admission: AdmissionPolicy,
): Promise<PublicIdentity> {
  const self = identity.publicIdentity;
  const introduction = await receive(context, 'introduction');
  const peer = peerIdentity(introduction.publicKey, introduction.name, 'dialer');
  // The digest covers the dialer's claimed key already: the dialer's later signature must be by
  // that key, and this side's signature cannot be replayed to a dialer presenting another one.
  const digest = handshakeDigest({ ...facts(context), dialer: peer, listener: self });
  const signature = await identity.sign(signedStatement('listener', digest));
  send(context, { kind: 'listener-proof', publicKey: self.publicKey, name: self.name, signature });

  const proof = await receive(context, 'dialer-proof');
  if (!(await peer.verify(signedStatement('dialer', digest), proof.signature))) {
    throw invalidSignature('dialer', peer);
  }
  await decide(context, admission, peer);
  // Resolve only once the dialer has admitted this side too, so neither side offers a root
  // capability in a session the other is about to refuse.
  await expectAdmitted(context, 'dialer');
  return peer;
}

/** The context fields that go into the digest, copied so a caller cannot change them mid-way. */
function facts(context: AuthenticationContext) {
  return {
    protocolVersion: context.protocolVersion,
    transcript: context.transcript.slice(),
    channelBinding: context.channelBinding.slice(),
  };
}

function peerIdentity(publicKey: Uint8Array, name: string | undefined, role: string): PublicIdentity {
  try {
    return PublicIdentity.fromPublicKey(publicKey, name);
  } catch (error) {
    throw new AuthenticationError(
      'invalid',
      `the ${role} presented an unusable public key: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function invalidSignature(role: string, peer: PublicIdentity): AuthenticationError {
  return new AuthenticationError(
    'invalid',
    `expected a handshake signature by the ${role}'s key ${peer.fingerprint} over this handshake, ` +
      'got one that does not verify (wrong key, tampered, replayed, reflected or relayed)',
  );
}

/** Runs the admission policy and sends its verdict; on refusal throws `refused` with the reason. */
async function decide(
  context: AuthenticationContext,
  admission: AdmissionPolicy,
  peer: PublicIdentity,
): Promise<void> {
  context.signal.throwIfAborted();
  let decision: AdmissionDecision;
  try {
    decision = await admission.admit(peer, {
      role: context.role,
      protocolVersion: context.protocolVersion,
      signal: context.signal,
    });
  } catch (error) {
    // A policy may refuse by throwing AuthenticationError('refused'); any other error is a failure
    // of this side, reported to the peer by the session as a generic authentication failure.
    if (!(error instanceof AuthenticationError && error.code === 'refused')) throw error;
    decision = { admitted: false, reason: error.message };
  }
  context.signal.throwIfAborted();
  if (decision.admitted) {
    send(context, { kind: 'verdict', admitted: true, reason: '' });
    return;
  }
  // Tell the peer in-band first, so the reason reaches its authenticator as a typed refusal even
  // before the session's own termination message does.
  send(context, { kind: 'verdict', admitted: false, reason: decision.reason });
  throw new AuthenticationError('refused', decision.reason);
}

async function expectAdmitted(context: AuthenticationContext, peerRole: string): Promise<void> {
  const verdict = await receive(context, 'verdict');
  if (!verdict.admitted)
    throw new AuthenticationError('refused', `the ${peerRole} refused this session: ${verdict.reason}`);
}

function send(context: AuthenticationContext, message: HandshakeMessage): void {
  context.signal.throwIfAborted();
  context.send(encodeHandshakeMessage(message));
}

async function receive<Kind extends HandshakeMessageKind>(
  context: AuthenticationContext,
  kind: Kind,
): Promise<Extract<HandshakeMessage, { kind: Kind }>> {
  return decodeHandshakeMessage(await context.receive(), kind);
}
