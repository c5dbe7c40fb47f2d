import type { ConsumerOptions } from './consumer-options.ts';

/**
 * The marks a stream end carries, kept below both the stream ends and the proxy facade so each can
 * use them without importing the other, and so code that only meets stream ends (aborting those in
 * a failed call's arguments, a session telling them apart) need not load the stream classes.
 */

/**
 * Marks the ends of sequences and byte streams: they are moved, never walked or copied, when they
 * travel in a value (a sequence has one consumer and one producer). Capability copying and
 * sessions test `streamEndpoint in value`.
 */
export const streamEndpoint: unique symbol = Symbol('msc.streamEndpoint');

/**
 * The base of every stream end, consumer or producer: `value instanceof StreamEnd` tells a stream
 * end in one prototype walk (a codec asks it of every object it encodes, so not `streamEndpoint in
 * value`, which costs a few times more on the many shapes a codec meets) without loading the
 * stream classes. It holds nothing.
 */
export abstract class StreamEnd {}

/**
 * The key under which a stream end keeps its `FlowQueue`: the state it shares with the other end.
 * Not exported from the package root; `@msc/session` reaches it through `@msc/eventual/handler` to
 * bridge a stream end over the wire (reading what the producer wrote, writing what the remote
 * producer sent, applying the remote consumer's settings).
 */
export const streamQueue: unique symbol = Symbol('msc.streamQueue');

/**
 * The method through which a call result hands settings made on it before its value arrived
 * (`result.capacity = 8`) to the consumer end the value turned out to be.
 */
export const consumerSettings: unique symbol = Symbol('msc.consumerSettings');

/** Implemented by consumer ends (sequences, byte streams) so a call result can apply early settings. */
export interface AcceptsConsumerOptions {
  /** Applies settings a caller made on the call result before this stream arrived. */
  [consumerSettings](options: ConsumerOptions): void;
}

/**
 * Applies `options` to `value` when it is a consumer end; does nothing for anything else (the call
 * result turned out not to be a stream).
 */
export function applyConsumerOptions(value: unknown, options: ConsumerOptions | undefined): void {
  if (options === undefined || typeof value !== 'object' || value === null) return;
  const apply = (value as Partial<AcceptsConsumerOptions>)[consumerSettings];
  if (typeof apply === 'function') apply.call(value, options);
}

/**
 * Disposes `value` when it is a stream end (a call result that turned out to be a stream ends with
 * the result: `using items = remote.list()`); does nothing for anything else.
 */
export function disposeStreamEnd(value: unknown): void {
  if (typeof value === 'object' && value !== null && streamEndpoint in value) {
    (value as Partial<Disposable>)[Symbol.dispose]?.();
  }
}
