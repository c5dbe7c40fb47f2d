import type { ArgumentValidators, StandardSchema } from './argument-validation.ts';
import { BrokenHandler } from './broken-handler.ts';
import type { Bytes } from './bytes.ts';
import { NothingError } from './errors.ts';
import { createProxy, handlerOf, isProxy, makeFloating } from './facade.ts';
import type { CapabilityHandler } from './handler.ts';
import { type LocalHandler, localHandlerFor } from './local-handler.ts';
import type { Sequence } from './sequence.ts';

declare const capabilityType: unique symbol;

/** The string keys of `I` whose values are methods. */
export type MethodKeys<I> = {
  [K in keyof I]-?: K extends string ? (I[K] extends (...args: any[]) => any ? K : never) : never;
}[keyof I];

/** The methods of a proxy for interface `I`: same parameters, eventual results. */
export type ProxyMethods<I> = {
  readonly [K in MethodKeys<I>]: I[K] extends (...args: infer A) => infer R
    ? (...args: A) => Eventual<R>
    : never;
};

/** What every proxy instance has besides its interface's methods. */
export interface ProxyControl extends Disposable {
  /**
   * Resolves when the capability behind this proxy is known (a local object, a remote import);
   * rejects when it is broken: its promise rejected, it turned out to be data, or it was revoked.
   * A proxy is deliberately not thenable: this is how to wait for it.
   */
  whenResolved(): Promise<void>;
}

/**
 * A capability for interface `I`, local or remote: the same type either way (DESIGN §1.1). Every
 * method returns an eventual value ({@link Eventual}); calls on one instance are dispatched in the
 * order they were made (instance order); `Symbol.dispose` releases the reference.
 *
 * @example
 * ```ts
 * interface ICounter { inc(): Promise<number> }
 * class Counter implements ICounter { #n = 0; async inc() { return ++this.#n; } }
 * const counter: Proxy<ICounter> = proxy<ICounter>(new Counter());
 * await counter.inc(); // 1, dispatched at the top of a later turn
 * ```
 */
export type Proxy<I> = ProxyMethods<I> & ProxyControl & { readonly [capabilityType]?: I };

/**
 * A call result: awaitable for the call's value, and pipelinable when the value is a capability
 * (calls on it are sent before it resolves).
 */
export type Result<T> = Promise<T> & Pipelined<T> & ProxyControl;

/** Methods that can be pipelined on a result of type `T`. */
export type Pipelined<T> = T extends Proxy<infer J> ? ProxyMethods<J> : unknown;

/**
 * A call result that is a sequence: awaitable, iterable with `for await` at once (the first read is
 * posted before the sequence arrives), and the consumer may set `capacity` and `batchSize` early.
 */
export type SequenceResult<T> = Result<Sequence<T>> &
  AsyncIterable<T> & {
    capacity: number;
    batchSize: number;
  };

/** A call result that is a byte stream (see {@link SequenceResult}). */
export type BytesResult = Result<Bytes> &
  AsyncIterable<Uint8Array> & {
    capacity: number;
    batchSize: number;
  };

/**
 * What a method declared to return `R` returns through a proxy: a `Proxy` when `R` is a capability
 * (usable at once), a sequence result for sequences, otherwise a {@link Result}.
 */
export type Eventual<R> = [R] extends [Proxy<infer J>]
  ? Proxy<J>
  : [R] extends [Sequence<infer T>]
    ? SequenceResult<T>
    : [R] extends [Bytes]
      ? BytesResult
      : [R] extends [PromiseLike<infer T>]
        ? Result<T>
        : Result<R>;

/** Options of {@link proxy}. */
export interface ProxyOptions<I> {
  /**
   * Opt-in runtime validation (DESIGN §3): a Standard Schema per method, checking its argument
   * list (a tuple schema, such as `z.tuple([z.number()])`) before the method runs. Calls that fail
   * it reject with `ArgumentError` and the target never sees them. They apply to the object, for
   * every proxy of it, local or remote.
   */
  readonly validate?: ArgumentValidators<I>;
}

/**
 * Makes a local capability for `target`: a proxy with the semantics a remote one has (top-of-turn
 * dispatch, instance order, pipelining, release). Only methods of the target's class are callable.
 * All proxies of one target share one reference count; when the last is released the target's own
 * `Symbol.dispose` runs (after the calls already queued).
 *
 * The proxy holds its own reference until you dispose it (or it is garbage collected). Passing it
 * in arguments or returning it gives the receiver a reference of its own. To give yours away
 * instead, so the object is disposed as soon as the receiver releases it, see {@link handOff}.
 *
 * @param target - a class instance implementing `I`; a proxy passed here is copied instead
 * @throws TypeError when `target` is not an object
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
  handler.retain();
  return createProxy(handler) as Proxy<I>;
}

/**
 * Gives `capability`'s reference away: the first time it is passed as an argument or returned, the
 * receiver gets this very reference instead of a new one, and `capability` becomes a view that
 * holds nothing (it still reaches the object while someone keeps it alive; afterwards its calls
 * fail with `DisposedError`). Using it before it is shared (a call, `whenResolved`) keeps the
 * reference instead. Returns `capability`.
 *
 * This makes disposal deterministic for objects made to be handed out: the room below is disposed
 * the moment the caller, local or remote, releases it, without waiting for garbage collection.
 *
 * @example
 * ```ts
 * class Lobby { createRoom(name: string) { return handOff(proxy<IRoom>(new Room(name))); } }
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

/**
 * A new proxy instance from a handler (for sessions and other handler implementations). Takes
 * ownership of one reference to `handler`.
 */
export function proxyFromHandler<I>(handler: CapabilityHandler): Proxy<I> {
  return createProxy(handler) as Proxy<I>;
}

const nothingHandler = new BrokenHandler((method) => new NothingError(method));

/**
 * The `Nothing` capability: no actions are authorized through it; every call fails with
 * `NothingError`. Use it as a root when a side offers nothing (DESIGN §1.7).
 */
export function nothing<I = never>(): Proxy<I> {
  return createProxy(nothingHandler) as Proxy<I>;
}

/** Whether `value` is a `Nothing` capability. */
export function isNothing(value: unknown): boolean {
  return isProxy(value) && handlerOf(value) === nothingHandler;
}

/**
 * A new proxy instance for a handler that fails every call with `error(method)`: for revoked
 * capabilities and broken promises.
 */
export function brokenProxy<I>(error: (method: string) => unknown): Proxy<I> {
  return createProxy(new BrokenHandler(error)) as Proxy<I>;
}
