import type { ConsumerOptions } from './consumer-options.ts';
import type { FlowQueue } from './flow-queue.ts';
import { type AcceptsConsumerOptions, consumerSettings, streamEndpoint } from './stream-endpoint.ts';

/**
 * The key under which a stream end keeps its {@link FlowQueue}: the state it shares with the other
 * end. Not exported from the package root; `@msc/session` reaches it through
 * `@msc/eventual/handler` to bridge a stream end over the wire (reading what the producer wrote,
 * writing what the remote producer sent, applying the remote consumer's settings).
 */
export const streamQueue: unique symbol = Symbol('msc.streamQueue');

/**
 * What the consumer ends of `Sequence<T>` and `Bytes` share: the flow-control settings the consumer
 * owns, `cancel`, and `for await`. Reads differ (items versus byte ranges) and live in the
 * subclasses.
 */
export abstract class ConsumerEnd<T> implements AsyncIterable<T>, AcceptsConsumerOptions {
  /** The state shared with the producer end (see {@link streamQueue}). */
  readonly [streamQueue]: FlowQueue<T>;
  declare readonly [streamEndpoint]: true;

  /** Made by `sequence()` or `bytes()`, together with the producer end over the same queue. */
  constructor(queue: FlowQueue<T>) {
    this[streamQueue] = queue;
  }

  /**
   * The flow-control window (items for a sequence, bytes for a byte stream): how much the producer
   * may have written and not yet seen read before its `flush()` waits.
   */
  get capacity(): number {
    return this[streamQueue].capacity;
  }
  set capacity(value: number) {
    this[streamQueue].setOptions({ capacity: value });
  }

  /** The largest batch (items or bytes) a remote producer sends at once. */
  get batchSize(): number {
    return this[streamQueue].batchSize;
  }
  set batchSize(value: number) {
    this[streamQueue].setOptions({ batchSize: value });
  }

  /** The next item or chunk, or the end (see the subclasses). */
  abstract read(): Promise<IteratorResult<T, undefined>>;

  /**
   * Ends the stream from the consumer side and drops what is buffered. The producer sees
   * `CancelledError` (with `error` as its cause) at its next `write` or `flush`.
   */
  cancel(error?: unknown): void {
    this[streamQueue].cancel(error);
  }

  /** Reads to the end; leaving the loop early (break, return, exception) cancels the stream. */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.read(),
      return: async () => {
        this.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  /** Applies settings a caller made on a call result before this stream arrived. */
  [consumerSettings](options: ConsumerOptions): void {
    this[streamQueue].setOptions(options);
  }
}
Object.defineProperty(ConsumerEnd.prototype, streamEndpoint, { value: true });

/**
 * What the producer ends of sequences and byte streams share. Writes never block; `flush()` is how
 * the producer observes the consumer's window.
 */
export abstract class ProducerEnd<T> {
  /** The state shared with the consumer end (see {@link streamQueue}). */
  readonly [streamQueue]: FlowQueue<T>;
  declare readonly [streamEndpoint]: true;

  /** Made by `sequence()` or `bytes()`, together with the consumer end over the same queue. */
  constructor(queue: FlowQueue<T>) {
    this[streamQueue] = queue;
  }

  /**
   * Resolves when the consumer's window has room (less unread than its capacity); at once when it
   * already has. Rejects with `CancelledError` when the consumer cancels.
   */
  flush(): Promise<void> {
    return this[streamQueue].flush();
  }

  /**
   * Ends the stream: the consumer reads what remains, then the end, or `error` when one is given.
   * Resolves when the consumer has read everything (or cancelled). Idempotent.
   */
  close(error?: unknown): Promise<void> {
    return this[streamQueue].close(error);
  }

  /** Ends the stream at once: buffered data is dropped, the consumer's reads reject with `AbortedError`. */
  abort(error?: unknown): void {
    this[streamQueue].abort(error);
  }

  /** How much more fits in the consumer's window now (items or bytes; may be negative). */
  get desiredSize(): number {
    return this[streamQueue].capacity - this[streamQueue].unread;
  }

  /**
   * How much the producer has written that the consumer has not yet taken (items for a sequence,
   * bytes for a byte stream). When the stream spans a session, what the session has sent on counts
   * as taken: this is what the producer's side holds. Unlike {@link desiredSize} it does not depend
   * on the window the consumer declared, so a server can bound what a stream makes it hold whatever
   * a remote consumer asked for. 0 once the stream was cancelled or aborted (the items are dropped).
   */
  get unread(): number {
    return this[streamQueue].unread;
  }

  /**
   * Resolves once the stream has ended for the producer: the consumer cancelled it, it was aborted
   * (by {@link abort}, or because the session it spans ended), or it was closed and everything
   * written was taken. Never rejects. A producer that keeps a stream open for a long time (a
   * subscription) uses it to stop work for a consumer that has gone, without waiting for its next
   * write to fail.
   */
  whenEnded(): Promise<void> {
    return this[streamQueue].whenEnded();
  }

  /** Whether the consumer cancelled the stream. */
  get cancelled(): boolean {
    return this[streamQueue].state === 'cancelled';
  }
}
Object.defineProperty(ProducerEnd.prototype, streamEndpoint, { value: true });
