import type { Connection } from '@msc/transport';
import { type Authenticator, noAuthentication, type SessionRole } from './authenticator.ts';
import { notEnabled } from './not-enabled.ts';
import type { TerminationReason } from './session-error.ts';

/**
 * Authentication, optional in a program: the run of an authenticator during establishment (its
 * context, its `Authenticate` messages in both directions, the bytes they hold, the mapping of its
 * failure to the session's end). A page whose sessions use `unauthenticated()` never runs one: both
 * sides agree on the scheme `none` in their hellos and nothing is exchanged, so only the entry that
 * installs the exchange carries it. `@msc/session`'s Node (default) entry installs it when it loads
 * (and then runs `unauthenticated()` as any authenticator); its `browser` entry does not, and a page
 * that authenticates calls `enableAuthentication()` (enable-authentication.ts) once before its
 * first session; `identityAuthenticator()` of `@msc/identity` calls it itself.
 *
 * Without it a session or scope whose authenticator is not `unauthenticated()`'s throws a TypeError
 * naming `enableAuthentication()` when it is made, before it takes any reference; and an
 * `Authenticate` message from the peer of an `unauthenticated()` session is a protocol violation
 * (an honest peer on the scheme `none` sends none). This file holds only the seam; the exchange is
 * `authentication-exchange.ts`.
 */

/** What an {@link AuthenticationExchange} needs from its handshake's session. */
export interface AuthenticationPort {
  /** Queues a message (see `Outbox.send`). */
  send(message: unknown[]): void;
  /** Ends the session. */
  end(reason: TerminationReason, notifyPeer: boolean): void;
  /** Whether the session has ended. */
  readonly isTerminated: boolean;
}

/** Where the bytes of unread authentication messages count, with the handshake's held messages. */
export interface HeldBytes {
  /**
   * Adds `bytes` (negative: takes them off) to what the handshake holds.
   *
   * @throws LimitViolation when that passes `maxHeldBytes`
   * @internal
   */
  count_(bytes: number): void;
}

/** One handshake's authentication step: made when the hellos agree, dropped once it has run. */
export interface AuthenticationExchange {
  /**
   * Runs the authenticator over `transcript` (with the connection's addresses as its channel
   * binding when `bindAddresses`) and resolves with what it learned about the peer. When it fails
   * the session is ended (with the step `authentication`), and what it resolves with is not used.
   * Never rejects.
   */
  run(transcript: Uint8Array, bindAddresses: boolean, protocolVersion: number): Promise<unknown>;
  /**
   * An `Authenticate` message from the peer: to the authenticator's waiting `receive()`, or kept
   * (counted in {@link HeldBytes}) until it asks.
   *
   * @throws LimitViolation past `maxHeldBytes`
   */
  receive(message: Uint8Array): void;
  /** The session ended: the authenticator's signal aborts with `error`, its `receive()` fails with `aborted`. */
  abort(error: unknown, aborted: unknown): void;
}

/** What the exchange of one handshake is made of. */
export interface AuthenticationOptions {
  readonly connection: Connection;
  readonly role: SessionRole;
  readonly authenticator: Authenticator<unknown>;
}

/** Makes the exchange of one handshake. */
export type AuthenticationExchangeFactory = (
  options: AuthenticationOptions,
  port: AuthenticationPort,
  held: HeldBytes,
) => AuthenticationExchange;

let installed: AuthenticationExchangeFactory | undefined;

/**
 * Installs authentication for every session from now on (`enableAuthentication()`); `undefined`
 * removes it again (for tests of a program without it).
 */
export function installAuthentication(factory: AuthenticationExchangeFactory | undefined): void {
  installed = factory;
}

/**
 * How a session with `authenticator` authenticates: the installed exchange, or `undefined` for
 * `unauthenticated()` in a program without it (nothing is exchanged, the peer is `undefined`).
 *
 * @throws TypeError naming `enableAuthentication()` for any other authenticator without it
 */
export function authenticationFor(
  authenticator: Authenticator<unknown>,
): AuthenticationExchangeFactory | undefined {
  if (installed === undefined && authenticator !== noAuthentication) {
    throw new TypeError(
      `the '${authenticator.scheme}' authenticator cannot run: ${notEnabled('authentication', 'enableAuthentication')}`,
    );
  }
  return installed;
}
