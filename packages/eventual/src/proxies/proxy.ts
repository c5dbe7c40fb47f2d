import type { ArgumentValidators, StandardSchema } from '../argument-validation.ts';
import { createProxy } from '../facade/facade.ts';
import { handlerOf, isProxy, makeFloating } from '../facade/facade-references.ts';
import { type LocalHandler, localHandlerFor } from '../handlers/local-handler.ts';
import { checkedMethods, facetProxy } from './facet.ts';
import type { MethodKeys, Proxy } from './proxy-types.ts';

/** Options of {@link proxy}. */
export interface ProxyOptions<I> {
  /**
   * Opt-in runtime validation (docs/semantics.md#callable-methods): a Standard Schema per method,
   * checking its argument list (a tuple schema, such as `z.tuple([z.number()])`) before the method
   * runs. Calls that fail it reject with `ArgumentError` and the target never sees them. They apply
   * to the object, for every proxy of it, local or remote.
   */
  readonly validate?: ArgumentValidators<I> | undefined;
  /**
   * Narrows this proxy to these methods (docs/semantics.md#bounded-authority): it is a facet, as
   * `facet(target, methods)` makes, and every other method fails with `MethodNotFoundError` without
   * reaching the object, for local and remote callers alike. Other proxies of the object are not
   * narrowed. Default: every callable method.
   */
  readonly methods?: readonly MethodKeys<I>[] | undefined;
}

/**
 * Makes a local capability for `target`: a proxy with the semantics a remote one has (top-of-turn
 * dispatch, instance order, pipelining, release). Only methods of the target's class are callable.
 * All proxies of one target share one reference count; when the last is released the target's own
 * `Symbol.dispose` runs (after the calls already queued).
 *
 * The proxy holds its own reference until you dispose it (or it is garbage collected). Passing it
 * in arguments lends it: the callee gets an instance of its own, released when its call settles.
 * Returning it from a method gives it away: its reference moves to the caller and this instance
 * ends, so `return proxy(new Room())` leaves the room to the caller alone; to keep a capability you
 * return, return a copy (`return proxy(this.room)`). See docs/ownership.md.
 *
 * @param target - a class instance implementing `I`; a proxy passed here is copied instead
 * @throws TypeError when `target` is not an object, or a name in `methods` is not one of its methods
 */
export function proxy<I extends object>(target: I | Proxy<I>, options: ProxyOptions<I> = {}): Proxy<I> {
  if (typeof target !== 'object' || target === null) {
    throw new TypeError(`proxy() needs an object implementing the interface, got ${typeof target}`);
  }
  const existing = handlerOf(target);
  if (existing !== undefined && options.validate !== undefined) {
    throw new TypeError('argument validators belong to the object: pass the object, not a proxy');
  }
  const handler = existing ?? localHandlerFor(target);
  if (options.validate !== undefined) {
    const local = handler as LocalHandler;
    local.validators = { ...local.validators, ...(options.validate as Record<string, StandardSchema>) };
  }
  if (options.methods !== undefined) {
    const methods = checkedMethods(options.methods, handler);
    handler.retain(); // the facet's own reference to the object
    return facetProxy(handler, methods) as Proxy<I>;
  }
  handler.retain();
  return createProxy(handler) as Proxy<I>;
}

/**
 * Gives `capability`'s reference away when it is passed as an argument: the first time it is
 * passed, the callee gets this very reference instead of an instance of its own, and `capability`
 * becomes a view that holds nothing (it still reaches the object while someone keeps it alive;
 * afterwards its calls fail with `DisposedError`). Using it before it is shared (a call,
 * `whenResolved`) keeps the reference instead. Returns `capability`.
 *
 * Returning a proxy gives it away without this (see {@link proxy}); a handed-off instance that is
 * returned becomes a view too.
 *
 * @example
 * ```ts
 * await keeper.adopt(handOff(proxy<IRoom>(new Room()))); // the keeper's copy is the only reference
 * ```
 */
export function handOff<P extends Proxy<unknown>>(capability: P): P {
  makeFloating(capability);
  return capability;
}

/** Whether `value` is a proxy instance or a call result. */
export function isCapability(value: unknown): value is Proxy<unknown> {
  return isProxy(value);
}
