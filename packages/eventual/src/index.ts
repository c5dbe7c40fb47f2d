/**
 * @msc/eventual: the local half of MSC's programming model. Eventual values (void promises, data
 * promises and proxies), local capabilities with the semantics remote ones have (top-of-turn
 * dispatch, instance order, promise pipelining, release), streaming `Sequence<T>` and `Bytes`, and
 * the well-known `AbortedError`. `@msc/session` backs the very same `Proxy<I>` type with a remote
 * object through the handler seam, a separate entry (`@msc/eventual/handler`) that programs using
 * proxies never need.
 *
 * @example
 * ```ts
 * import { proxy, type Proxy } from '@msc/eventual';
 *
 * interface ICalc {
 *   add(n: number): Promise<number>;
 *   clone(): Proxy<ICalc>;
 * }
 * class Calc implements ICalc {
 *   #total = 0;
 *   async add(n: number) { return (this.#total += n); }
 *   clone(): Proxy<ICalc> { const copy = new Calc(); copy.#total = this.#total; return proxy<ICalc>(copy); }
 * }
 *
 * const calc = proxy<ICalc>(new Calc());
 * const copy = calc.clone();        // usable at once
 * console.log(await copy.add(3));   // 3: pipelined behind clone()
 * copy[Symbol.dispose]();
 * ```
 *
 * @packageDocumentation
 */

export {
  ArgumentError,
  type ArgumentValidators,
  type StandardIssue,
  type StandardResult,
  type StandardSchema,
} from './argument-validation.ts';
export {
  AbortedError,
  CancelledError,
  ClosedError,
  DisposedError,
  EventualError,
  type EventualErrorCode,
  MethodNotFoundError,
  NotCapabilityError,
  NothingError,
  ResolutionLoopError,
  RevokedError,
} from './errors.ts';
export { facet } from './proxies/facet.ts';
export { isNothing, nothing } from './proxies/nothing.ts';
export { handOff, isCapability, type ProxyOptions, proxy } from './proxies/proxy.ts';
export type {
  BytesResult,
  Eventual,
  MethodKeys,
  Pipelined,
  Proxy,
  Result,
  SequenceResult,
} from './proxies/proxy-types.ts';
export { Resolver } from './proxies/resolver.ts';
export { type Revocable, revocable } from './proxies/revocable.ts';
export { sameCapability } from './proxies/same-capability.ts';
export { Bytes, BytesWriter, bytes } from './streams/bytes.ts';
export type { ConsumerOptions } from './streams/consumer-options.ts';
export { Sequence, SequenceWriter, sequence } from './streams/sequence.ts';
export { bytesFrom, bytesToReadableStream, bytesWritableStream } from './streams/stream-interop.ts';
