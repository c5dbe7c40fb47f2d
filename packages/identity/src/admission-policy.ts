import type { SessionRole } from '@msc/session';
import type { PublicIdentity } from './public-identity.ts';

/** What an admission policy is told besides the peer's identity. */
export interface AdmissionRequest {
  /** This side's role in the session (the peer has the other one). */
  readonly role: SessionRole;
  /** The protocol version the session agreed on. */
  readonly protocolVersion: number;
  /** Aborted when the session ends or the handshake times out; stop waiting then. */
  readonly signal: AbortSignal;
}

/**
 * The outcome of an admission decision; build it with {@link admit} or {@link refuse}. A refusal may
 * carry a stable `code` naming the rule that refused (for logs and tests; the peer is sent the
 * `reason` only, which by convention starts with the code).
 */
export type AdmissionDecision =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly reason: string; readonly code?: AdmissionRefusalCode };

/**
 * Why trust on first use refused: `no-display-name`, `key-changed` (a known name with another key),
 * `confusable-name` (a new name that looks like a known peer's name) or `known-peers-full` (a new
 * name while the store holds `maxKnownPeers`). Custom policies may use their own strings.
 */
export type AdmissionRefusalCode =
  | 'no-display-name'
  | 'key-changed'
  | 'confusable-name'
  | 'known-peers-full'
  | (string & {});

/**
 * Decides who gets in. The authenticator calls {@link AdmissionPolicy.admit} once per session,
 * only after the peer has proven it holds the secret key of `peer` (its handshake signature
 * verified), and before either side's `authenticate()` resolves.
 *
 * A refusal's `reason` is sent to the peer, so it should say what the peer can act on and
 * nothing private. A policy that throws (other than an `AuthenticationError`) fails the handshake;
 * the peer then learns only that authentication failed.
 */
export interface AdmissionPolicy {
  admit(peer: PublicIdentity, request: AdmissionRequest): Promise<AdmissionDecision>;
}

/** The decision that lets the peer in. */
export function admit(): AdmissionDecision {
  return { admitted: true };
}

/** The decision that keeps the peer out; `reason` is sent to it, `code` names the rule (optional). */
export function refuse(reason: string, code?: AdmissionRefusalCode): AdmissionDecision {
  return code === undefined ? { admitted: false, reason } : { admitted: false, reason, code };
}

/** Admits every peer that proves its key: authentication without authorisation. */
export function allowAll(): AdmissionPolicy {
  return {
    async admit() {
      return admit();
    },
  };
}

/**
 * What a custom admission callback may answer: a decision, or `true` (admit) / `false` (refuse
 * with a generic reason).
 */
export type AdmissionAnswer = AdmissionDecision | boolean;

/**
 * A policy from an (async) callback, for rules of your own: a database lookup, a per-role rule,
 * a prompt to the user. The callback runs after the peer's signature verified.
 *
 * @example
 * ```ts
 * const policy = customAdmission(async (peer) =>
 *   (await isBanned(peer.fingerprint)) ? refuse('banned') : admit(),
 * );
 * ```
 */
export function customAdmission(
  callback: (peer: PublicIdentity, request: AdmissionRequest) => AdmissionAnswer | Promise<AdmissionAnswer>,
): AdmissionPolicy {
  return {
    async admit(peer, request) {
      const answer = await callback(peer, request);
      if (answer === true) return admit();
      if (answer === false) return refuse('refused by the admission policy');
      return answer;
    },
  };
}
