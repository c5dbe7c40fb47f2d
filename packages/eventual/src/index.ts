/**
 * @msc/eventual: the local half of MSC's programming model. Eventual values (void promises, data
 * promises and proxies), local capabilities with the semantics remote ones have (top-of-turn
 * dispatch, instance order, promise pipelining, release), streaming `Sequence<T>` and `Bytes`, and
 * the well-known `AbortedError`. `@msc/session` backs the very same `Proxy<I>` type with a remote
 * object through the handler seam ({@link CapabilityHandler}).
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
 *   clone() { const copy = new Calc(); copy.#total = this.#total; return proxy<ICalc>(copy); }
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

export { abortStreamsIn } from './abort-streams.ts';
export {
  ArgumentError,
  type ArgumentValidators,
  type StandardIssue,
  type StandardResult,
  type StandardSchema,
} from './argument-validation.ts';
export { BrokenHandler } from './broken-handler.ts';
export { Bytes, BytesWriter, bytes, defaultBytesOptions } from './bytes.ts';
export { copyCapabilities, releaseCapabilities } from './capability-copy.ts';
export { enqueueDispatch } from './dispatch-queue.ts';
export {
  AbortedError,
  CancelledError,
  ClosedError,
  DisposedError,
  describeValue,
  EventualError,
  type EventualErrorCode,
  MethodNotFoundError,
  NotCapabilityError,
  NothingError,
} from './errors.ts';
export {
  createProxy,
  createResult,
  handlerOf,
  isDisposed,
  isResultFacade,
  sinkFloating,
  streamEndpoint,
  takeReference,
} from './facade.ts';
export type { ConsumerEvent, FlowQueue } from './flow-queue.ts';
export type { CapabilityHandler, ConsumerOptions, ResultHandler, Settlement } from './handler.ts';
export { LocalHandler, localHandlerFor, settleWith } from './local-handler.ts';
export { PromiseHandler, settledResult } from './promise-handler.ts';
export type {
  BytesResult,
  Eventual,
  MethodKeys,
  Pipelined,
  Proxy,
  ProxyControl,
  ProxyMethods,
  Result,
  SequenceResult,
} from './proxy.ts';
export {
  brokenProxy,
  handOff,
  isCapability,
  isNothing,
  nothing,
  type ProxyOptions,
  proxy,
  proxyFromHandler,
} from './proxy.ts';
export { Resolver } from './resolver.ts';
export { defaultSequenceOptions, observeConsumer, Sequence, SequenceWriter, sequence } from './sequence.ts';
export { SettlementListeners } from './settlement-listeners.ts';
export { bytesFrom, bytesToReadableStream, bytesWritableStream } from './stream-interop.ts';
