import { type AcceptsConsumerOptions, consumerSettings, streamEndpoint } from './facade.ts';
import { type ConsumerEvent, FlowQueue } from './flow-queue.ts';
import type { ConsumerOptions } from './handler.ts';

/** Default consumer settings of a sequence: a window of 64 items, batches of up to 64. */
export const defaultSequenceOptions: Required<ConsumerOptions> = { capacity: 64, batchSize: 64 };

/**
 * The consumer end of a streaming sequence of items (DESIGN §1.12, RPC4 `ISequence<T>`). An
 * eventual, first-class value: it can be returned from a method, passed as an argument, sit in a
 * data contract or be an item of another sequence; it travels by moving (one consumer).
 *
 * `for await` reads it; leaving the loop early (break, return, exception) cancels it.
 *
 * @example
 * ```ts
 * const [events, writer] = sequence<string>({ capacity: 8 });
 * writer.write('a'); writer.write('b'); void writer.close();
 * for await (const event of events) console.log(event);
 * ```
 */
export class Sequence<T> implements AsyncIterable<T>, AcceptsConsumerOptions {
  /** @internal */
  readonly queue: FlowQueue<T>;
  declare readonly [streamEndpoint]: true;

  /** @internal use {@link sequence} */
  constructor(queue: FlowQueue<T>) {
    this.queue = queue;
  }

  /** The flow-control window in items: how many unread items the producer may have written before `flush()` waits. */
  get capacity(): number {
    return this.queue.capacity;
  }
  set capacity(value: number) {
    this.queue.setOptions({ capacity: value });
  }

  /** The largest number of items a remote producer sends in one batch. */
  get batchSize(): number {
    return this.queue.batchSize;
  }
  set batchSize(value: number) {
    this.queue.setOptions({ batchSize: value });
  }

  /**
   * The next item (`{ done: false, value }`), or the end (`{ done: true }`). An item already
   * buffered is returned without waiting for the producer. Rejects with the producer's close error
   * after the remaining items, or with `AbortedError` when the producer aborted or the session the
   * sequence spanned ended.
   */
  read(): Promise<IteratorResult<T, undefined>> {
    return this.queue.read() as Promise<IteratorResult<T, undefined>>;
  }

  /**
   * The next buffered item without waiting: an item, the end, or `undefined` when nothing is
   * buffered yet. Throws what `read()` would reject with.
   */
  tryRead(): IteratorResult<T, undefined> | undefined {
    return this.queue.tryRead() as IteratorResult<T, undefined> | undefined;
  }

  /**
   * Ends the sequence from the consumer side and drops buffered items. The producer sees
   * `CancelledError` (with `error` as its cause) at its next `write` or `flush`.
   */
  cancel(error?: unknown): void {
    this.queue.cancel(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.read(),
      return: async () => {
        this.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  /** @internal applies settings a caller made on a call result before this sequence arrived */
  [consumerSettings](options: ConsumerOptions): void {
    this.queue.setOptions(options);
  }
}
Object.defineProperty(Sequence.prototype, streamEndpoint, { value: true });

/**
 * The producer end of a streaming sequence (RPC4 `ISequenceWriter<T>`). Writes are not blocked by
 * the window; `flush()` is how the producer observes backpressure.
 */
export class SequenceWriter<T> {
  /** @internal */
  readonly queue: FlowQueue<T>;
  declare readonly [streamEndpoint]: true;

  /** @internal use {@link sequence} */
  constructor(queue: FlowQueue<T>) {
    this.queue = queue;
  }

  /**
   * Appends an item. Ownership of the item passes to the sequence.
   *
   * @throws CancelledError when the consumer cancelled; ClosedError after `close()`; AbortedError
   *   after `abort()` or when the session the sequence spans ended
   */
  write(item: T): void {
    this.queue.write(item);
  }

  /**
   * Resolves when the consumer's window has room (fewer unread items than its capacity); at once
   * when it already has. Rejects with `CancelledError` when the consumer cancels.
   */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /**
   * Ends the sequence: the consumer reads the remaining items, then the end, or `error` when one is
   * given. Resolves when the consumer has read every item (or cancelled). Idempotent.
   */
  close(error?: unknown): Promise<void> {
    return this.queue.close(error);
  }

  /** Ends the sequence at once: buffered items are dropped, the consumer's reads reject with `AbortedError`. */
  abort(error?: unknown): void {
    this.queue.abort(error);
  }

  /** How many more items fit in the consumer's window now (may be negative). */
  get desiredSize(): number {
    return this.queue.capacity - this.queue.unread;
  }

  /** Whether the consumer cancelled the sequence. */
  get cancelled(): boolean {
    return this.queue.state === 'cancelled';
  }
}
Object.defineProperty(SequenceWriter.prototype, streamEndpoint, { value: true });

/**
 * Creates a streaming sequence: its consumer end and its producer end.
 *
 * @param options - the consumer's window (`capacity`, items, default 64) and `batchSize` (default 64)
 * @throws RangeError when an option is not a positive integer
 */
export function sequence<T>(options: ConsumerOptions = {}): [Sequence<T>, SequenceWriter<T>] {
  const queue = new FlowQueue<T>(options, defaultSequenceOptions, () => 1);
  return [new Sequence(queue), new SequenceWriter(queue)];
}

/**
 * Observes a consumer end: reads (with their size), settings changes and endings. For sessions,
 * which turn reads into flow-control credits.
 */
export function observeConsumer(
  consumer: Sequence<unknown> | { readonly queue: FlowQueue<unknown> },
  observer: (event: ConsumerEvent) => void,
): void {
  consumer.queue.observe(observer);
}
