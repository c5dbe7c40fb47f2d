import { createProxy } from '../facade/facade.ts';
import { handlerOf, takeReference } from '../facade/facade-references.ts';
import { localHandlerFor } from '../handlers/local-handler.ts';
import { newRevocable } from '../handlers/revocable-handler.ts';
import type { Proxy } from './proxy-types.ts';

/** What {@link revocable} returns: the capability to hand out, and the switch that withdraws it. */
export interface Revocable<I> {
  /** The revocable capability: calls reach the object until `revoke`. Owns one reference (dispose it). */
  readonly proxy: Proxy<I>;
  /**
   * Withdraws the capability from every holder (docs/semantics.md#revocation): local holders get
   * results already aborted with a `RevokedError` (code `revoked`, `cause` the reason), sessions that
   * carry it tell their peers, whose imports are revoked and released at once (and passed on to
   * third parties the same way), and calls in flight settle with the same error. The object is no
   * longer held through this capability. A second call does nothing.
   */
  revoke(reason?: unknown): void;
}

/**
 * Makes a revocable capability for `capability` (E's caretaker; the Glossary's capability
 * revocation): a proxy that forwards every call until `revoke(reason)` is called. Hand out the proxy
 * and keep `revoke`; revocation is final, a new capability must be made to grant access again.
 *
 * The caller keeps its own reference to `capability` (a fresh proxy's floating reference moves into
 * the revocable one; see `handOff()`).
 *
 * Of a promise that has not resolved, the revocable capability is a promise itself: `whenResolved()`
 * waits and rejects as the promise does (over a session too), and it resolves to a revocable
 * forwarder of what the promise resolved to, which the same `revoke` revokes.
 *
 * @example
 * ```ts
 * const { proxy: guest, revoke } = revocable<IRoom>(room);
 * await lobby.invite(guest);   // the guest may use the room...
 * revoke('the party is over'); // ...until now, wherever the capability went
 * ```
 *
 * @throws TypeError when `capability` is neither an object nor a proxy
 */
export function revocable<I extends object>(capability: I | Proxy<I>): Revocable<I> {
  if (typeof capability !== 'object' || capability === null) {
    throw new TypeError(`revocable() needs an object or a proxy, got ${typeof capability}`);
  }
  let inner = handlerOf(capability);
  if (inner !== undefined) inner = takeReference(capability);
  else {
    inner = localHandlerFor(capability);
    inner.retain();
  }
  const handler = newRevocable(inner);
  return {
    proxy: createProxy(handler) as Proxy<I>,
    revoke: (reason?: unknown) => handler.revoke(reason),
  };
}
