import { MethodNotFoundError } from '../errors.ts';
import { createProxy } from '../facade/facade.ts';
import { handlerOf, takeReference } from '../facade/facade-references.ts';
import { localNames } from '../facade/local-names.ts';
import { newFacet } from '../handlers/facet-handler.ts';
import { LocalHandler, localHandlerFor } from '../handlers/local-handler.ts';
import { findMethod, maximumMethodNameLength, targetName } from '../handlers/method-lookup.ts';
import type { CapabilityHandler } from '../seam/capability-handler.ts';
import type { MethodKeys, Proxy } from './proxy-types.ts';

/**
 * Narrows a capability to the methods named (the devlog's winnowed capability,
 * docs/semantics.md#bounded-authority): the facet's proxy reaches the object only through them, and
 * a call to any other method fails with `MethodNotFoundError` without reaching the object. The
 * refusal holds for every holder: a facet sent over a session is refused on the host at dispatch,
 * whatever the remote caller's proxy claims. A facet is a capability of its own: its holders keep
 * the object alive, it can be narrowed again, and `sameCapability` tells it apart from the object.
 *
 * `methods` accepts only method names of `I`, so `facet<IJoinedPlayer>(player, ['leave'])` types the
 * result as the narrow interface. The caller keeps its own reference to `capability` (a fresh proxy's
 * floating reference moves into the facet; see `handOff()`).
 *
 * A facet of a promise that has not resolved (a `Resolver`'s proxy, a call result) is a promise
 * itself: `whenResolved()` waits and rejects as the promise does (over a session too), and it
 * resolves to a facet of the same methods of what the promise resolved to.
 *
 * @example
 * ```ts
 * const joined = facet<IJoinedPlayer>(player, ['leave']); // only leave() reaches the player
 * ```
 *
 * @param capability - a class instance or a proxy (local or remote)
 * @param methods - the method names the facet lets through
 * @throws TypeError when `capability` is neither an object nor a proxy, or when a name is not a
 *   string, is too long, is a name proxies answer locally, or (for a local object) is not a callable
 *   method of it
 */
export function facet<I extends object, K extends MethodKeys<I> = MethodKeys<I>>(
  capability: I | Proxy<I>,
  methods: readonly K[],
): Proxy<Pick<I, K>> {
  if (typeof capability !== 'object' || capability === null) {
    throw new TypeError(`facet() needs an object or a proxy, got ${typeof capability}`);
  }
  const allowed = checkedMethods(methods, handlerOf(capability) ?? localHandlerFor(capability));
  const inner = handlerOf(capability) !== undefined ? takeReference(capability) : retained(capability);
  return facetProxy(inner, allowed) as Proxy<Pick<I, K>>;
}

/**
 * The proxy of a new facet over `inner` (used by `proxy(target, { methods })` too). Takes ownership
 * of the caller's reference to `inner`.
 */
export function facetProxy(inner: CapabilityHandler, methods: ReadonlySet<string>): object {
  return createProxy(newFacet(inner, methods));
}

/**
 * `methods` as a set, checked. A name that could never be called is a programming error, so it
 * throws here, at the facet's creation, instead of failing every call later.
 *
 * @throws TypeError naming the bad entry
 */
export function checkedMethods(methods: readonly string[], handler: CapabilityHandler): ReadonlySet<string> {
  if (!Array.isArray(methods)) throw new TypeError('a facet needs an array of method names');
  const target = handler instanceof LocalHandler ? handler.target : undefined;
  for (const name of methods) {
    if (typeof name !== 'string')
      throw new TypeError(`a facet's method names are strings, got ${typeof name}`);
    if (name.length > maximumMethodNameLength || localNames.has(name)) {
      throw new TypeError(`a facet cannot allow '${name.slice(0, 64)}': no call can use that name`);
    }
    if (target === undefined) continue;
    const found = findMethod(target, name);
    if (typeof found === 'string') {
      throw new TypeError(new MethodNotFoundError(name, targetName(target), found).message);
    }
  }
  return new Set(methods);
}

function retained(target: object): CapabilityHandler {
  const handler = localHandlerFor(target);
  handler.retain();
  return handler;
}
