import { AbortedError, CancelledError, ClosedError } from '../errors.ts';
import type { ConsumerDefaults, ConsumerOptions } from './consumer-options.ts';

/**
 * The shared state of one streaming sequence: a FIFO of unread items between one producer and one
 * consumer, measured in units (1 per item for `Sequence`, bytes for `Bytes`). The consumer's
 * `capacity` bounds the window the producer observes through `flush()`
 * (docs/semantics.md#streaming). Reads served from the buffer complete without waiting on the
 * producer.
 *
 * Endings:
 * - `close(error?)` by the producer: remaining items are delivered, then the end (or the error);
 * - `abort(error?)` by the producer: prompt; buffered items are dropped, reads reject with
 *   `AbortedError`;
 * - `cancel(error?)` by the consumer: buffered items are dropped; the producer's next write or
 *   flush fails with `CancelledError` (whose cause is the consumer's error).
 */
export class FlowQueue<T> {
  #items: T[] = [];
  #head = 0;
  /** Units written and not yet read. */
  unread = 0;
  capacity: number;
  batchSize: number;
  state: 'open' | 'closed' | 'aborted' | 'cancelled' = 'open';
  /** The producer's close error, or the abort / cancel reason. */
  reason: unknown = undefined;
  readonly #size: (item: T) => number;
  #readers: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void; max: number }[] = [];
  #flushers: { resolve(): void; reject(error: unknown): void }[] = [];
  #closers: (() => void)[] = [];
  #readable: (() => void)[] = [];
  /** Observers of the consumer's activity (a session turns reads into credits). */
  #observers: ((event: ConsumerEvent) => void)[] = [];
  readonly #take: ((queue: FlowQueue<T>, max: number) => T) | undefined;

  constructor(
    options: ConsumerOptions,
    defaults: ConsumerDefaults,
    size: (item: T) => number,
    take?: (queue: FlowQueue<T>, max: number) => T,
  ) {
    this.capacity = checkPositive('capacity', options.capacity ?? defaults.capacity);
    this.batchSize = checkPositive('batchSize', options.batchSize ?? defaults.batchSize);
    this.#size = size;
    this.#take = take;
  }

  // ----- producer side -----

  write(item: T): void {
    if (this.state !== 'open') throw this.#writeError();
    const size = this.#size(item);
    const reader = this.#readers.shift();
    if (reader !== undefined && this.#items.length === this.#head && size <= reader.max) {
      // Straight to a waiting reader: it never sat in the buffer.
      reader.resolve({ done: false, value: item });
      this.#notify({ type: 'read', size });
      return;
    }
    if (reader !== undefined) this.#readers.unshift(reader);
    this.#items.push(item);
    this.unread += size;
    this.#serveReaders();
    this.#wakeReadable();
  }

  /**
   * Resolves when an item is buffered or the sequence has ended, without taking anything (for a
   * session that forwards items only as far as the remote consumer's credit allows).
   */
  whenReadable(): Promise<void> {
    if (this.#head < this.#items.length || this.state !== 'open') return Promise.resolve();
    return new Promise((resolve) => this.#readable.push(resolve));
  }

  #wakeReadable(): void {
    if (this.#readable.length === 0) return;
    for (const wake of this.#readable.splice(0)) wake();
  }

  flush(): Promise<void> {
    if (this.state === 'cancelled' || this.state === 'aborted') return Promise.reject(this.#writeError());
    if (this.unread < this.capacity || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve, reject) => this.#flushers.push({ resolve, reject }));
  }

  close(error?: unknown): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closed';
      this.reason = error;
      this.#serveReaders();
      this.#resolveFlushers();
      this.#wakeReadable();
      // Nothing left to read: the stream has ended for the producer (see whenEnded).
      if (this.unread === 0) this.#resolveClosers();
    }
    if (this.state !== 'closed' || this.unread === 0) return Promise.resolve();
    return new Promise((resolve) => this.#closers.push(resolve));
  }

  /**
   * Resolves once the stream has ended for the producer: cancelled, aborted, or closed with
   * everything read. Never rejects.
   */
  whenEnded(): Promise<void> {
    if (
      this.state === 'aborted' ||
      this.state === 'cancelled' ||
      (this.state === 'closed' && this.unread === 0)
    ) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#closers.push(resolve));
  }

  abort(error?: unknown): void {
    if (this.state === 'aborted' || this.state === 'cancelled') return;
    this.state = 'aborted';
    this.reason = error;
    this.#drop();
    const aborted =
      error instanceof AbortedError
        ? error
        : new AbortedError('the producer aborted the sequence', { cause: error });
    for (const reader of this.#readers.splice(0)) reader.reject(aborted);
    for (const flusher of this.#flushers.splice(0)) flusher.reject(aborted);
    this.#resolveClosers();
    this.#wakeReadable();
    this.#notify({ type: 'aborted', error });
  }

  // ----- consumer side -----

  /** Takes the next item if one is buffered (no waiting), the end, or `undefined` to wait. */
  tryRead(max = Number.POSITIVE_INFINITY): IteratorResult<T> | undefined {
    if (this.#head < this.#items.length && this.state !== 'aborted') {
      return { done: false, value: this.#dequeue(max) };
    }
    if (this.state === 'aborted') throw this.#readError();
    if (this.state === 'cancelled') return { done: true, value: undefined };
    if (this.state === 'closed') {
      if (this.reason !== undefined) throw this.reason;
      return { done: true, value: undefined };
    }
    return undefined;
  }

  read(max = Number.POSITIVE_INFINITY): Promise<IteratorResult<T>> {
    try {
      const result = this.tryRead(max);
      if (result !== undefined) return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.#readers.push({ resolve, reject, max }));
  }

  cancel(error?: unknown): void {
    if (this.state === 'cancelled' || this.state === 'aborted') return;
    const wasOpen = this.state === 'open';
    this.state = 'cancelled';
    this.reason = error;
    this.#drop();
    for (const reader of this.#readers.splice(0)) reader.resolve({ done: true, value: undefined });
    const cancelled = this.#writeError();
    for (const flusher of this.#flushers.splice(0)) flusher.reject(cancelled);
    this.#resolveClosers();
    this.#wakeReadable();
    if (wasOpen || this.#observers.length > 0) this.#notify({ type: 'cancelled', error });
  }

  setOptions(options: ConsumerOptions): void {
    if (options.capacity !== undefined) this.capacity = checkPositive('capacity', options.capacity);
    if (options.batchSize !== undefined) this.batchSize = checkPositive('batchSize', options.batchSize);
    if (this.unread < this.capacity) this.#resolveFlushers();
    this.#notify({ type: 'settings' });
  }

  /** Registers an observer of reads, settings changes and endings (for sessions). */
  observe(observer: (event: ConsumerEvent) => void): void {
    this.#observers.push(observer);
  }

  /** The first buffered item, without taking it (for byte streams that take part of it). */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Replaces the first buffered item (for byte streams that take part of it). */
  replaceHead(item: T): void {
    this.#items[this.#head] = item;
  }

  /** Takes the first buffered item whole. */
  shift(): T {
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as T;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Number of buffered items (not units). */
  get bufferedItems(): number {
    return this.#items.length - this.#head;
  }

  #dequeue(max: number): T {
    const item = this.#take ? this.#take(this, max) : this.shift();
    const size = this.#size(item);
    this.unread -= size;
    this.#notify({ type: 'read', size });
    if (this.unread < this.capacity) this.#resolveFlushers();
    if (this.unread === 0 && this.state === 'closed') this.#resolveClosers();
    return item;
  }

  #serveReaders(): void {
    while (this.#readers.length > 0) {
      let result: IteratorResult<T> | undefined;
      const reader = this.#readers[0]!;
      try {
        result = this.tryRead(reader.max);
      } catch (error) {
        this.#readers.shift();
        reader.reject(error);
        continue;
      }
      if (result === undefined) return;
      this.#readers.shift();
      reader.resolve(result);
    }
  }

  #drop(): void {
    this.#items = [];
    this.#head = 0;
    this.unread = 0;
  }

  #resolveFlushers(): void {
    for (const flusher of this.#flushers.splice(0)) flusher.resolve();
  }

  #resolveClosers(): void {
    for (const closer of this.#closers.splice(0)) closer();
  }

  #notify(event: ConsumerEvent): void {
    for (const observer of this.#observers) observer(event);
  }

  #writeError(): Error {
    if (this.state === 'cancelled') return new CancelledError(undefined, { cause: this.reason });
    if (this.state === 'aborted') return new AbortedError('the sequence was aborted', { cause: this.reason });
    return new ClosedError('cannot write: the sequence is closed');
  }

  #readError(): Error {
    return this.reason instanceof AbortedError
      ? this.reason
      : new AbortedError('the producer aborted the sequence', { cause: this.reason });
  }
}

/** What a consumer did, as seen by an observer (see {@link FlowQueue.observe}). */
export type ConsumerEvent =
  | { readonly type: 'read'; readonly size: number }
  | { readonly type: 'settings' }
  | { readonly type: 'cancelled'; readonly error: unknown }
  | { readonly type: 'aborted'; readonly error: unknown };

function checkPositive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
