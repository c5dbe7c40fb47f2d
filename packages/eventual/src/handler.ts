/**
 * `@msc/eventual/handler`: the seam behind every proxy, for packages that back proxies with
 * something other than a local object (`@msc/session` backs them with a remote one). Programs that
 * only use proxies import `@msc/eventual` and never this entry.
 *
 * What is here:
 * - the contract a handler implements ({@link CapabilityHandler}, {@link ResultHandler},
 *   {@link Settlement}), with the ownership rules every implementation follows;
 * - the facade operations: wrap a handler in a proxy or a call result ({@link createProxy},
 *   {@link createResult}), find the handler behind a proxy ({@link handlerOf}), take or move its
 *   reference ({@link takeReference}, {@link sinkFloating}), release the copies a call owned
 *   ({@link releaseCapabilities}), and hand a settled value's capabilities to whoever takes them
 *   ({@link markCarriedCapabilities}, {@link releaseCarriedCapabilities});
 * - the local promise ({@link PromiseHandler}, {@link settledResult}), how a settled result answers
 *   calls ({@link callSettled}; for data or an error, {@link settlementError}) and what its
 *   `whenResolved()` gives ({@link resolutionOf}), the loop check every result
 *   handler settles through ({@link refuseLoop}, {@link leadsTo}), the listener list every
 *   result handler keeps ({@link SettlementListeners}) and what its last release gives back of its
 *   settlement ({@link releaseSettlement});
 * - the stream ends' shared state ({@link streamQueue}, {@link FlowQueue}), their common base
 *   ({@link StreamEnd}: `value instanceof StreamEnd` tells one without loading the stream
 *   classes), {@link applyConsumerOptions} for a consumer end a result brought,
 *   {@link forgetConsumerEnd} for a consumer end a session reads for a remote consumer, and
 *   {@link abortStreamsIn} for calls that never reach a target ({@link failedCall} aborts them and
 *   gives the call's failed result);
 * - {@link markSerialized}, which tells a local dispatch that a call's data is a copy already, and
 *   {@link markEncoding}, which a codec's walk sets so that reading a call result's `constructor`
 *   (as serializers do) does not count as awaiting it;
 * - {@link describeValue}, which names a value in an error message without dumping it;
 * - {@link CallScope}, the state behind a call's context (docs/semantics.md#call-context): what
 *   `call()`'s third argument is, and what a session makes for the calls it serves; and
 *   {@link enableContextCalls}, which whatever makes contexts that carry something calls first, so
 *   calls made within them honour them (a program that never scopes a call does not carry that code).
 *
 * @example
 * ```ts
 * import type { Proxy } from '@msc/eventual';
 * import { type CapabilityHandler, createProxy, type ResultHandler, settledResult } from '@msc/eventual/handler';
 *
 * // A capability whose every call returns the method's name.
 * class Echo implements CapabilityHandler {
 *   call(method: string): ResultHandler { return settledResult({ kind: 'value', value: method }); }
 *   whenResolved() { return Promise.resolve(); }
 *   retain() {}
 *   release() {}
 *   shorten() { return this; }
 * }
 * const echo = createProxy(new Echo()) as Proxy<{ hello(): Promise<string> }>; // owns one reference
 * console.log(await echo.hello()); // 'hello'
 * ```
 *
 * @packageDocumentation
 */

export { CallScope } from './context/call-context.ts';
export { enableContextCalls } from './context/enable-context-calls.ts';
export { describeValue } from './errors.ts';
export { releaseCapabilities, releaseCarriedCapabilities } from './facade/capability-copy.ts';
export { markCarriedCapabilities } from './facade/carried-capabilities.ts';
export { markSerialized } from './facade/data-copy.ts';
export { markEncoding } from './facade/encoding-scope.ts';
export { createProxy, createResult } from './facade/facade.ts';
export { handlerOf, sinkFloating, takeReference } from './facade/facade-references.ts';
export { enqueueDispatch } from './handlers/dispatch-queue.ts';
export {
  callSettled,
  failedCall,
  leadsTo,
  PromiseHandler,
  refuseLoop,
  settledResult,
} from './handlers/promise-handler.ts';
export { releaseSettlement } from './handlers/release-settlement.ts';
export type { CapabilityHandler, ResultHandler, Settlement } from './seam/capability-handler.ts';
export { SettlementListeners } from './seam/settlement-listeners.ts';
export { resolutionOf, settlementError } from './seam/settlement-outcomes.ts';
export { abortStreamsIn } from './streams/abort-streams.ts';
export type { FlowQueue } from './streams/flow-queue.ts';
export { applyConsumerOptions, StreamEnd } from './streams/stream-endpoint.ts';
export { forgetConsumerEnd, forgetProducerEnd, streamQueue } from './streams/stream-ends.ts';
