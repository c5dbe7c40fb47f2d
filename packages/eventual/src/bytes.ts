import { type AcceptsConsumerOptions, consumerSettings, streamEndpoint } from './facade.ts';
import { FlowQueue } from './flow-queue.ts';
import type { ConsumerOptions } from './handler.ts';

/** Default consumer settings of a byte stream: a 256 KiB window, batches of up to 64 KiB. */
export const defaultBytesOptions: Required<ConsumerOptions> = { capacity: 256 * 1024, batchSize: 64 * 1024 };

/**
 * The consumer end of a byte stream without chunk boundaries (DESIGN §1.12, RPC4 `Bytes`): flow
 * control counts bytes, and reads are not aligned to writes (`read(max)` returns up to `max` bytes,
 * splitting or joining what the producer wrote).
 *
 * Interop: `for await` yields `Uint8Array` chunks, so `Readable.from(bytes)` makes a Node stream;
 * {@link bytesToReadableStream} makes a web stream; {@link bytesFrom} reads from either kind.
 */
export class Bytes implements AsyncIterable<Uint8Array>, AcceptsConsumerOptions {
  /** @internal */
  readonly queue: FlowQueue<Uint8Array>;
  declare readonly [streamEndpoint]: true;

  /** @internal use {@link bytes} */
  constructor(queue: FlowQueue<Uint8Array>) {
    this.queue = queue;
  }

  /** The flow-control window in bytes. */
  get capacity(): number {
    return this.queue.capacity;
  }
  set capacity(value: number) {
    this.queue.setOptions({ capacity: value });
  }

  /** The largest number of bytes a remote producer sends in one batch. */
  get batchSize(): number {
    return this.queue.batchSize;
  }
  set batchSize(value: number) {
    this.queue.setOptions({ batchSize: value });
  }

  /**
   * Up to `maxBytes` bytes (default: whatever the next buffered chunk holds), or the end. Buffered
   * bytes are returned without waiting for the producer.
   *
   * @throws RangeError when `maxBytes` is not a positive integer
   */
  read(maxBytes?: number): Promise<IteratorResult<Uint8Array, undefined>> {
    return this.queue.read(checkMax(maxBytes)) as Promise<IteratorResult<Uint8Array, undefined>>;
  }

  /** Up to `maxBytes` buffered bytes without waiting, the end, or `undefined` when nothing is buffered. */
  tryRead(maxBytes?: number): IteratorResult<Uint8Array, undefined> | undefined {
    return this.queue.tryRead(checkMax(maxBytes)) as IteratorResult<Uint8Array, undefined> | undefined;
  }

  /**
   * Exactly `length` bytes, or fewer only when the stream ends first (check `byteLength`).
   */
  async readExactly(length: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let received = 0;
    while (received < length) {
      const result = await this.read(length - received);
      if (result.done) break;
      parts.push(result.value);
      received += result.value.byteLength;
    }
    return parts.length === 1 ? parts[0]! : concatenate(parts, received);
  }

  /** Ends the stream from the consumer side (see `Sequence.cancel`). */
  cancel(error?: unknown): void {
    this.queue.cancel(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array, undefined> {
    return {
      next: () => this.read(),
      return: async () => {
        this.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  /** @internal */
  [consumerSettings](options: ConsumerOptions): void {
    this.queue.setOptions(options);
  }
}
Object.defineProperty(Bytes.prototype, streamEndpoint, { value: true });

/** The producer end of a byte stream. */
export class BytesWriter {
  /** @internal */
  readonly queue: FlowQueue<Uint8Array>;
  declare readonly [streamEndpoint]: true;

  /** @internal use {@link bytes} */
  constructor(queue: FlowQueue<Uint8Array>) {
    this.queue = queue;
  }

  /**
   * Appends bytes. Ownership of `chunk` passes to the stream: do not modify it afterwards. Empty
   * chunks are ignored.
   *
   * @throws CancelledError, ClosedError or AbortedError as `SequenceWriter.write`
   */
  write(chunk: Uint8Array): void {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`BytesWriter.write needs a Uint8Array, got ${typeof chunk}`);
    }
    if (chunk.byteLength === 0 && this.queue.state === 'open') return;
    this.queue.write(chunk);
  }

  /** Resolves when fewer bytes than the consumer's capacity are unread (see `SequenceWriter.flush`). */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** Ends the stream after the bytes written so far (see `SequenceWriter.close`). */
  close(error?: unknown): Promise<void> {
    return this.queue.close(error);
  }

  /** Ends the stream at once (see `SequenceWriter.abort`). */
  abort(error?: unknown): void {
    this.queue.abort(error);
  }

  /** How many more bytes fit in the consumer's window now (may be negative). */
  get desiredSize(): number {
    return this.queue.capacity - this.queue.unread;
  }

  /** Whether the consumer cancelled the stream. */
  get cancelled(): boolean {
    return this.queue.state === 'cancelled';
  }
}
Object.defineProperty(BytesWriter.prototype, streamEndpoint, { value: true });

/**
 * Creates a byte stream: its consumer end and its producer end.
 *
 * @param options - the consumer's window (`capacity`, bytes, default 256 KiB) and `batchSize` (bytes, default 64 KiB)
 */
export function bytes(options: ConsumerOptions = {}): [Bytes, BytesWriter] {
  const queue = new FlowQueue<Uint8Array>(options, defaultBytesOptions, byteLength, takeBytes);
  return [new Bytes(queue), new BytesWriter(queue)];
}

function byteLength(chunk: Uint8Array): number {
  return chunk.byteLength;
}

/** Takes up to `max` bytes from the front of the buffer, splitting or joining chunks. */
function takeBytes(queue: FlowQueue<Uint8Array>, max: number): Uint8Array {
  const head = queue.peek()!;
  if (head.byteLength > max) {
    queue.replaceHead(head.subarray(max));
    return head.subarray(0, max);
  }
  queue.shift();
  if (max === Number.POSITIVE_INFINITY || head.byteLength === max || queue.bufferedItems === 0) return head;
  // Join following chunks up to `max` so a sized read is not limited by how the producer wrote.
  const parts = [head];
  let total = head.byteLength;
  while (total < max && queue.bufferedItems > 0) {
    const next = queue.peek()!;
    const wanted = max - total;
    if (next.byteLength > wanted) {
      parts.push(next.subarray(0, wanted));
      queue.replaceHead(next.subarray(wanted));
      total += wanted;
    } else {
      parts.push(queue.shift());
      total += next.byteLength;
    }
  }
  return concatenate(parts, total);
}

function concatenate(parts: Uint8Array[], total: number): Uint8Array {
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

function checkMax(maxBytes: number | undefined): number {
  if (maxBytes === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new RangeError(`maxBytes must be a positive integer, got ${String(maxBytes)}`);
  }
  return maxBytes;
}
