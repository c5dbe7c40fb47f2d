/**
 * The authentication step of session establishment (docs/semantics.md#establishment, step 3). The
 * session runs its authenticator after the protocol version is agreed and before the root
 * capabilities are exchanged. `@msc/identity` provides the ed25519 one; {@link unauthenticated} is
 * the explicit opt-out.
 */

/** Which end of the transport connection this side is. */
export type SessionRole = 'dialer' | 'listener';

/**
 * What the session gives an authenticator. Messages sent with {@link AuthenticationContext.send}
 * reach the peer's authenticator in order and are not seen by anything else.
 */
export interface AuthenticationContext {
  /** This side's role; lets a mutual protocol decide who speaks first. */
  readonly role: SessionRole;
  /** The protocol version both sides agreed on. */
  readonly protocolVersion: number;
  /**
   * The exact bytes of the handshake so far: the dialer's hello then the listener's hello (each
   * carries a fresh 32-byte nonce, the versions offered and the authenticator name). Sign a hash of
   * it so a replayed or reflected handshake fails.
   */
  readonly transcript: Uint8Array;
  /**
   * Binds the handshake to this transport connection: the connection's two addresses in a canonical
   * order (dialer's view). Both ends of a direct connection compute the same bytes; a relay that
   * forwards one handshake between two other connections does not. Empty when either side cannot
   * see the real addresses (a browser): then only the transcript binds the handshake, and TLS
   * (`wss:`) is what stops a relay.
   */
  readonly channelBinding: Uint8Array;
  /** Sends one authentication message to the peer's authenticator. */
  send(message: Uint8Array): void;
  /**
   * The peer authenticator's next message. Rejects when the session ends or the handshake times out
   * (then the session is already terminating, there is nothing to clean up).
   */
  receive(): Promise<Uint8Array>;
  /** Aborted when the session ends or the handshake times out. */
  readonly signal: AbortSignal;
}

/**
 * Authenticates the peer during session establishment.
 *
 * @typeParam Peer - what a successful authentication yields about the peer (for example its public
 *   identity); `remoteIdentity(proxy)` returns it to callees.
 */
export interface Authenticator<Peer = unknown> {
  /** The scheme's name, exchanged in the hello: both sides must use the same scheme. */
  readonly scheme: string;
  /**
   * Runs the scheme's exchange and returns what it learned about the peer. To refuse the peer,
   * throw an {@link AuthenticationError}: its message crosses the wire as the reason the session
   * ended (other errors are reported to the peer as a generic failure).
   */
  authenticate(context: AuthenticationContext): Promise<Peer>;
}

/** Thrown by an authenticator to refuse a peer; `reason` is sent to the peer. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  /** Stable code: `refused` (policy), `invalid` (bad signature, wrong key, bad message), `protocol`. */
  readonly code: 'refused' | 'invalid' | 'protocol';
  constructor(code: 'refused' | 'invalid' | 'protocol', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The one authenticator {@link unauthenticated} returns: without authentication installed (the
 * browser entry, authentication-part.ts) a session recognises it and exchanges nothing.
 * @internal
 */
export const noAuthentication: Authenticator<undefined> = /* @__PURE__ */ Object.freeze({
  scheme: 'none',
  async authenticate() {
    return undefined;
  },
});

/**
 * The explicit opt-out of authentication: both sides must choose it, and the peer is `undefined`.
 * Sessions never fall back to it silently. The only authenticator a session of `@msc/session`'s
 * browser entry runs without `enableAuthentication()`.
 */
export function unauthenticated(): Authenticator<undefined> {
  return noAuthentication;
}
