import type { Bytes } from '../streams/bytes.ts';
import type { Sequence } from '../streams/sequence.ts';

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
 * A capability for interface `I`, local or remote: the same type either way
 * (docs/semantics.md#location-independence). Every method returns an eventual value
 * ({@link Eventual}); calls on one instance are dispatched in the order they were made (instance
 * order); `Symbol.dispose` releases the reference.
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
 * (usable at once); a {@link BytesResult} when `R` is `Bytes` or a promise of one; a
 * {@link SequenceResult} when `R` is a `Sequence` or a promise of one; otherwise a {@link Result}.
 * A call result is the same object at run time whatever `R` is (awaitable, iterable, with consumer
 * settings), so a method declared `async` gets the same stream view as one returning the stream.
 */
export type Eventual<R> = [R] extends [Proxy<infer J>]
  ? Proxy<J>
  : [R] extends [PromiseLike<infer T>]
    ? EventualValue<T>
    : EventualValue<R>;

/**
 * The result of a call whose value is `T`. `Bytes` is tested before `Sequence`: a `Bytes` is
 * structurally a `Sequence<Uint8Array>` too (its `read(maxBytes?)` accepts `read()`), and awaiting
 * it must give the `Bytes` that `bytesToReadableStream` and `readExactly` need.
 */
type EventualValue<T> = [T] extends [Bytes]
  ? BytesResult
  : [T] extends [Sequence<infer Item>]
    ? SequenceResult<Item>
    : Result<T>;
