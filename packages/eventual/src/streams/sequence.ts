import type { ConsumerDefaults, ConsumerOptions } from './consumer-options.ts';
import { FlowQueue } from './flow-queue.ts';
import { ConsumerEnd, ProducerEnd, streamQueue } from './stream-ends.ts';

/** Default consumer settings of a sequence: a window of 64 items, batches of up to 64. */
const defaultSequenceOptions: ConsumerDefaults = { capacity: 64, batchSize: 64 };

/**
 * The consumer end of a streaming sequence of items (docs/semantics.md#streaming, RPC4
 * `ISequence<T>`). An eventual, first-class value: it can be returned from a method, passed as an
 * argument, sit in a data contract or be an item of another sequence; it travels by moving (one
 * consumer).
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
export class Sequence<T> extends ConsumerEnd<T> {
  /**
   * The next item (`{ done: false, value }`), or the end (`{ done: true }`). An item already
   * buffered is returned without waiting for the producer. Rejects with the producer's close error
   * after the remaining items, or with `AbortedError` when the producer aborted or the session the
   * sequence spanned ended.
   */
  read(): Promise<IteratorResult<T, undefined>> {
    return this[streamQueue].read() as Promise<IteratorResult<T, undefined>>;
  }

  /**
   * The next buffered item without waiting: an item, the end, or `undefined` when nothing is
   * buffered yet. Throws what `read()` would reject with.
   */
  tryRead(): IteratorResult<T, undefined> | undefined {
    return this[streamQueue].tryRead() as IteratorResult<T, undefined> | undefined;
  }
}

/**
 * The producer end of a streaming sequence (RPC4 `ISequenceWriter<T>`). Writes are not blocked by
 * the window; `flush()` is how the producer observes backpressure.
 */
export class SequenceWriter<T> extends ProducerEnd<T> {
  /**
   * Appends an item. Ownership of the item passes to the sequence.
   *
   * @throws CancelledError when the consumer cancelled; ClosedError after `close()`; AbortedError
   *   after `abort()` or when the session the sequence spans ended
   */
  write(item: T): void {
    this[streamQueue].write(item);
  }
}

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
