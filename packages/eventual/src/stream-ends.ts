import { type AcceptsConsumerOptions, consumerSettings, streamEndpoint } from './facade.ts';
import type { FlowQueue } from './flow-queue.ts';
import type { ConsumerOptions } from './handler.ts';

/**
 * What the consumer ends of `Sequence<T>` and `Bytes` share: the flow-control settings the consumer
 * owns, `cancel`, and `for await`. Reads differ (items versus byte ranges) and live in the
 * subclasses.
 */
export abstract class ConsumerEnd<T> implements AsyncIterable<T>, AcceptsConsumerOptions {
  /** @internal */
  readonly queue: FlowQueue<T>;
  declare readonly [streamEndpoint]: true;

  /** @internal */
  constructor(queue: FlowQueue<T>) {
    this.queue = queue;
  }

  /**
   * The flow-control window (items for a sequence, bytes for a byte stream): how much the producer
   * may have written and not yet seen read before its `flush()` waits.
   */
  get capacity(): number {
    return this.queue.capacity;
  }
  set capacity(value: number) {
    this.queue.setOptions({ capacity: value });
  }

  /** The largest batch (items or bytes) a remote producer sends at once. */
  get batchSize(): number {
    return this.queue.batchSize;
  }
  set batchSize(value: number) {
    this.queue.setOptions({ batchSize: value });
  }

  /** The next item or chunk, or the end (see the subclasses). */
  abstract read(): Promise<IteratorResult<T, undefined>>;

  /**
   * Ends the stream from the consumer side and drops what is buffered. The producer sees
   * `CancelledError` (with `error` as its cause) at its next `write` or `flush`.
   */
  cancel(error?: unknown): void {
    this.queue.cancel(error);
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

  /** @internal applies settings a caller made on a call result before this stream arrived */
  [consumerSettings](options: ConsumerOptions): void {
    this.queue.setOptions(options);
  }
}
Object.defineProperty(ConsumerEnd.prototype, streamEndpoint, { value: true });

/**
 * What the producer ends of sequences and byte streams share. Writes never block; `flush()` is how
 * the producer observes the consumer's window.
 */
export abstract class ProducerEnd<T> {
  /** @internal */
  readonly queue: FlowQueue<T>;
  declare readonly [streamEndpoint]: true;

  /** @internal */
  constructor(queue: FlowQueue<T>) {
    this.queue = queue;
  }

  /**
   * Resolves when the consumer's window has room (less unread than its capacity); at once when it
   * already has. Rejects with `CancelledError` when the consumer cancels.
   */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /**
   * Ends the stream: the consumer reads what remains, then the end, or `error` when one is given.
   * Resolves when the consumer has read everything (or cancelled). Idempotent.
   */
  close(error?: unknown): Promise<void> {
    return this.queue.close(error);
  }

  /** Ends the stream at once: buffered data is dropped, the consumer's reads reject with `AbortedError`. */
  abort(error?: unknown): void {
    this.queue.abort(error);
  }

  /** How much more fits in the consumer's window now (items or bytes; may be negative). */
  get desiredSize(): number {
    return this.queue.capacity - this.queue.unread;
  }

  /** Whether the consumer cancelled the stream. */
  get cancelled(): boolean {
    return this.queue.state === 'cancelled';
  }
}
Object.defineProperty(ProducerEnd.prototype, streamEndpoint, { value: true });
