import { AbortedError } from '../errors.ts';
import { installResultStreams } from '../facade/result-streams.ts';
import type { ConsumerOptions } from './consumer-options.ts';
import type { FlowQueue } from './flow-queue.ts';
import {
  type AcceptsConsumerOptions,
  consumerSettings,
  StreamEnd,
  streamEndpoint,
  streamQueue,
} from './stream-endpoint.ts';

export { streamQueue };

// Stream ends exist from here on, so a call result may turn out to be one: results get their
// consumer view (`for await`, `capacity`, `batchSize`) now, before any such call is made.
installResultStreams();

/**
 * Cancels the stream of a consumer end that was garbage collected before it was read to the end,
 * so its producer stops (its next write or flush fails) and a session frees the stream. The held
 * value is the queue, which never references the end.
 */
const dropped = new FinalizationRegistry<FlowQueue<unknown>>((queue) => {
  queue.cancel(new Error('the consumer end was dropped unread (garbage collected)'));
});

/**
 * Stops cancelling the stream when `end` is garbage collected: a session now reads the end's queue
 * for a remote consumer (the end was sent away), or made the end only to reach its queue.
 */
export function forgetConsumerEnd(end: object): void {
  dropped.unregister(end);
}

/**
 * Aborts the stream of a producer end that was garbage collected while still open (neither closed
 * nor aborted), so its consumer's reads end with `AbortedError` instead of waiting for ever and a
 * session frees the stream. A backstop only: `close()` or `using` ends a stream deterministically.
 * The held value is the queue, which never references the end.
 */
const droppedProducer = new FinalizationRegistry<FlowQueue<unknown>>((queue) => {
  if (queue.state !== 'open') return;
  queue.abort(
    new AbortedError(
      'the producer end was dropped without close() (garbage collected); close it, or scope it with `using`',
    ),
  );
});

/**
 * Stops aborting the stream when the producer end `end` is garbage collected: a session now writes
 * the end's queue for a remote producer (the end was sent away), or made the end only to reach its
 * queue.
 */
export function forgetProducerEnd(end: object): void {
  droppedProducer.unregister(end);
}

/**
 * What the consumer ends of `Sequence<T>` and `Bytes` share: the flow-control settings the consumer
 * owns, `cancel`, `for await` and `using`. Reads differ (items versus byte ranges) and live in the
 * subclasses.
 *
 * Lifetime (docs/ownership.md#streams-who-ends-what): the holder reads to the end or cancels.
 * `using` cancels at the end of the scope; an end dropped unread is cancelled when it is garbage
 * collected, which stops its producer and frees the stream of a session.
 */
export abstract class ConsumerEnd<T>
  extends StreamEnd
  implements AsyncIterable<T>, AcceptsConsumerOptions, Disposable
{
  /** The state shared with the producer end (see {@link streamQueue}). */
  readonly [streamQueue]: FlowQueue<T>;
  declare readonly [streamEndpoint]: true;

  /** Made by `sequence()` or `bytes()`, together with the producer end over the same queue. */
  constructor(queue: FlowQueue<T>) {
    super();
    this[streamQueue] = queue;
    dropped.register(this, queue as FlowQueue<unknown>, this);
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

  /**
   * Cancels what is left unread (as {@link cancel}); does nothing once every item was read, so
   * `using items = ...` is safe whether or not the loop read to the end.
   */
  [Symbol.dispose](): void {
    dropped.unregister(this);
    this.cancel();
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
 * the producer observes the consumer's window; `using` aborts a stream the scope left unclosed.
 *
 * Lifetime (docs/ownership.md#streams-who-ends-what): the holder closes or aborts. `close()` and
 * `using` end the stream deterministically; an end dropped while still open is aborted when it is
 * garbage collected (a backstop), so its consumer and a session's stream are not left waiting.
 */
export abstract class ProducerEnd<T> extends StreamEnd implements Disposable {
  /** The state shared with the consumer end (see {@link streamQueue}). */
  readonly [streamQueue]: FlowQueue<T>;
  declare readonly [streamEndpoint]: true;

  /** Made by `sequence()` or `bytes()`, together with the consumer end over the same queue. */
  constructor(queue: FlowQueue<T>) {
    super();
    this[streamQueue] = queue;
    droppedProducer.register(this, queue as FlowQueue<unknown>, this);
  }

  /**
   * Resolves when the consumer's window has room: what it has not read yet (buffered here, or
   * forwarded by a session and unread by the remote consumer) is less than its capacity, so a
   * producer that flushes before each write is never more than one window ahead. Resolves at once
   * when there is room. Rejects with `CancelledError` when the consumer cancels, `AbortedError` when
   * the stream was aborted (also when the call carrying its consumer end never reached its target,
   * or the session it spans ended).
   */
  flush(): Promise<void> {
    return this[streamQueue].flush();
  }

  /**
   * Ends the stream: the consumer reads what remains, then the end, or `error` when one is given.
   * Resolves once the consumer has read every item (across a session: once the remote consumer
   * did, as it confirms). Rejects with `CancelledError` when the consumer cancels first, and with
   * `AbortedError` when the stream is aborted first or the session it spans ends first. Idempotent.
   * The promise never counts as an unhandled rejection: `void writer.close()` is safe.
   */
  close(error?: unknown): Promise<void> {
    return this[streamQueue].close(error);
  }

  /** Ends the stream at once: buffered data is dropped, the consumer's reads reject with `AbortedError`. */
  abort(error?: unknown): void {
    this[streamQueue].abort(error);
  }

  /**
   * Aborts the stream when it was not closed (a scope left without `close()` must not leave the
   * consumer waiting for ever); does nothing after `close()`.
   */
  [Symbol.dispose](): void {
    droppedProducer.unregister(this);
    if (this[streamQueue].state === 'open') {
      this.abort(new AbortedError('the producer end was disposed without close()'));
    }
  }

  /**
   * How much more fits in the consumer's window now (items or bytes; may be negative): its
   * capacity less what it has not read, here or forwarded by a session.
   */
  get desiredSize(): number {
    return this[streamQueue].desiredSize;
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
   * (by {@link abort}, or because the session it spans ended), or it was closed and the consumer
   * read everything written. Never rejects. A producer that keeps a stream open for a long time (a
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
