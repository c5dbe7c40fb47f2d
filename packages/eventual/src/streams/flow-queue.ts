import { AbortedError, CancelledError, ClosedError } from '../errors.ts';
import { installStreamAborts } from './abort-streams.ts';
import type { ConsumerDefaults, ConsumerOptions } from './consumer-options.ts';
import { abortStreamEnds } from './stream-abort-walk.ts';

/**
 * The shared state of one streaming sequence: a FIFO of unread items between one producer and one
 * consumer, measured in units (1 per item for `Sequence`, bytes for `Bytes`). The consumer's
 * `capacity` bounds the window the producer observes through `flush()`: what is unread here plus
 * what a session forwarded and the remote consumer has not read yet ({@link downstream}) stays
 * within one window (docs/semantics.md#streaming). Reads served from the buffer complete without
 * waiting on the producer.
 *
 * Endings (each settles the producer's `close()` promise exactly once):
 * - `close(error?)` by the producer: remaining items are delivered, then the end (or the error);
 *   `close()` resolves once the consumer read every item (when a session forwards the stream: once
 *   the remote consumer did, {@link confirmDelivery});
 * - `abort(error?)` by the producer, or by whoever finds the stream in a call that never reached
 *   its target: prompt; buffered items are dropped, reads reject with `AbortedError`, a pending
 *   `close()` rejects with it;
 * - `cancel(error?)` by the consumer: buffered items are dropped; the producer's next write or
 *   flush fails with `CancelledError` (whose cause is the consumer's error), a pending `close()`
 *   rejects with it.
 * Once everything was delivered the stream is over: a later `cancel` or `abort` does nothing.
 */
export class FlowQueue<T> {
  #items: T[] = [];
  #head = 0;
  /** Units written and not yet read. */
  unread = 0;
  /**
   * Units a session took from this queue and forwarded to a remote consumer that has not read
   * them yet (it says so with credit). Counts against the window like {@link unread}.
   */
  downstream = 0;
  /**
   * Set by a session that forwards this queue to a remote consumer: what it takes is counted in
   * {@link downstream}, and the stream is delivered only when the remote side confirms it.
   */
  forwarding = false;
  /**
   * Whether the consumer's window is known. A session that forwards this queue clears it until the
   * remote consumer's first credit declares the window: until then the producer has no room.
   */
  windowKnown = true;
  /** Closed and every item delivered: the producer's `close()` resolved. */
  #delivered = false;
  capacity: number;
  batchSize: number;
  state: 'open' | 'closed' | 'aborted' | 'cancelled' = 'open';
  /** The producer's close error, or the abort / cancel reason. */
  reason: unknown = undefined;
  readonly #size: (item: T) => number;
  #readers: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void; max: number }[] = [];
  #flushers: { resolve(): void; reject(error: unknown): void }[] = [];
  /** `close()` and `whenEnded()` waiters (the latter resolve on failure too). */
  #closers: { resolve(): void; reject(error: unknown): void }[] = [];
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
    // A stream exists from here on: failed calls must abort the stream ends in their arguments.
    installStreamAborts(abortStreamEnds);
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
    if (this.#hasRoom() || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve, reject) => this.#flushers.push({ resolve, reject }));
  }

  /** Whether the producer is less than one window ahead of the consumer. */
  #hasRoom(): boolean {
    return this.desiredSize > 0;
  }

  /** How much more fits in the consumer's window (may be negative). */
  get desiredSize(): number {
    return (this.windowKnown ? this.capacity : 0) - this.unread - this.downstream;
  }

  /**
   * Resolves once the consumer received every item; rejects with `CancelledError` or
   * `AbortedError` when the stream ends before that. The promise never counts as an unhandled
   * rejection: a producer that does not wait for the consumer may ignore it.
   */
  close(error?: unknown): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closed';
      this.reason = error;
      this.#serveReaders();
      this.#resolveFlushers();
      this.#wakeReadable();
      this.#checkDelivered(false);
    }
    let closed: Promise<void>;
    if (this.#delivered) closed = Promise.resolve();
    else if (this.state !== 'closed') closed = Promise.reject(this.#writeError());
    else closed = new Promise((resolve, reject) => this.#closers.push({ resolve, reject }));
    closed.catch(ignore);
    return closed;
  }

  /**
   * A forwarding session learned that the remote consumer read everything: the close is delivered.
   */
  confirmDelivery(): void {
    this.#checkDelivered(true);
  }

  /** Closed, nothing left unread (and, when forwarded, confirmed): settles `close()` and notifies. */
  #checkDelivered(confirmed: boolean): void {
    if (this.state !== 'closed' || this.unread !== 0 || this.#delivered || (this.forwarding && !confirmed)) {
      return;
    }
    this.#delivered = true;
    for (const closer of this.#closers.splice(0)) closer.resolve();
    this.#notify({ type: 'delivered' });
  }

  /**
   * Resolves once the stream has ended for the producer: cancelled, aborted, or closed with
   * everything delivered. Never rejects.
   */
  whenEnded(): Promise<void> {
    if (this.state === 'aborted' || this.state === 'cancelled' || this.#delivered) return Promise.resolve();
    return new Promise((resolve) => this.#closers.push({ resolve, reject: resolve }));
  }

  /** The stream ended and was not delivered: no more closes resolve, waiters learn why. */
  #rejectClosers(): void {
    if (this.#closers.length === 0) return;
    const error = this.#writeError();
    for (const closer of this.#closers.splice(0)) closer.reject(error);
  }

  abort(error?: unknown): void {
    if (this.state === 'aborted' || this.state === 'cancelled' || this.#delivered) return;
    this.state = 'aborted';
    this.reason = error;
    this.#drop();
    const aborted =
      error instanceof AbortedError
        ? error
        : new AbortedError('the producer aborted the sequence', { cause: error });
    for (const reader of this.#readers.splice(0)) reader.reject(aborted);
    for (const flusher of this.#flushers.splice(0)) flusher.reject(aborted);
    this.#rejectClosers();
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
    if (this.state === 'cancelled' || this.state === 'aborted' || this.#delivered) return;
    const wasOpen = this.state === 'open';
    this.state = 'cancelled';
    this.reason = error;
    this.#drop();
    for (const reader of this.#readers.splice(0)) reader.resolve({ done: true, value: undefined });
    const cancelled = this.#writeError();
    for (const flusher of this.#flushers.splice(0)) flusher.reject(cancelled);
    this.#rejectClosers();
    this.#wakeReadable();
    if (wasOpen || this.#observers.length > 0) this.#notify({ type: 'cancelled', error });
  }

  setOptions(options: ConsumerOptions): void {
    if (options.capacity !== undefined) this.capacity = checkPositive('capacity', options.capacity);
    if (options.batchSize !== undefined) this.batchSize = checkPositive('batchSize', options.batchSize);
    if (this.#hasRoom()) this.#resolveFlushers();
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
    // Forwarded, not yet read: the window stays taken until the remote consumer reads it, and only
    // then is it read for an observer (a session relaying a stream it receives grants credit
    // upstream as the downstream consumer reads, not as this side forwards: see acknowledge).
    if (this.forwarding) this.downstream += size;
    else this.#notify({ type: 'read', size });
    if (this.#hasRoom()) this.#resolveFlushers();
    if (this.unread === 0) this.#checkDelivered(false);
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
    this.downstream = 0;
  }

  #resolveFlushers(): void {
    for (const flusher of this.#flushers.splice(0)) flusher.resolve();
  }

  /** The remote consumer read `units` of what was forwarded: that much of the window is free again. */
  acknowledge(units: number): void {
    const read = Math.min(units, this.downstream);
    this.downstream -= read;
    if (this.#hasRoom() && this.state === 'open') this.#resolveFlushers();
    if (read > 0) this.#notify({ type: 'read', size: read });
  }

  /**
   * The remote consumer declared its window (a forwarding session's first credit, or a change):
   * the producer has room as far as `capacity` allows, and observers learn the settings.
   */
  declareWindow(capacity: number): void {
    if (this.windowKnown && this.capacity === capacity) return;
    this.windowKnown = true;
    this.setOptions({ capacity });
  }

  /** A session forwards this queue to a remote consumer (see {@link forwarding}, {@link windowKnown}). */
  forward(forwarding: boolean): void {
    this.forwarding = forwarding;
    this.windowKnown = !forwarding;
    if (forwarding) return;
    this.downstream = 0;
    // An observer waiting for the remote window (a relaying sink's first grant) uses this one.
    this.#notify({ type: 'settings' });
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
  | { readonly type: 'aborted'; readonly error: unknown }
  /** Closed and every item delivered (see {@link FlowQueue.close}). */
  | { readonly type: 'delivered' };

function ignore(): void {}

function checkPositive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
