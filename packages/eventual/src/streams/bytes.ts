import type { ConsumerDefaults, ConsumerOptions } from './consumer-options.ts';
import { FlowQueue } from './flow-queue.ts';
import { ConsumerEnd, ProducerEnd, streamQueue } from './stream-ends.ts';

/** Default consumer settings of a byte stream: a 256 KiB window, batches of up to 64 KiB. */
const defaultBytesOptions: ConsumerDefaults = { capacity: 256 * 1024, batchSize: 64 * 1024 };

/**
 * The consumer end of a byte stream without chunk boundaries (docs/semantics.md#streaming, RPC4
 * `Bytes`): flow control counts bytes, and reads are not aligned to writes (`read(max)` returns up
 * to `max` bytes, splitting or joining what the producer wrote).
 *
 * Interop: `for await` yields `Uint8Array` chunks, so `Readable.from(bytes)` makes a Node stream;
 * {@link bytesToReadableStream} makes a web stream; {@link bytesFrom} reads from either kind.
 */
export class Bytes extends ConsumerEnd<Uint8Array> {
  /**
   * Up to `maxBytes` bytes (default: whatever the next buffered chunk holds), or the end. Buffered
   * bytes are returned without waiting for the producer.
   *
   * @throws RangeError when `maxBytes` is not a positive integer
   */
  read(maxBytes?: number): Promise<IteratorResult<Uint8Array, undefined>> {
    return this[streamQueue].read(checkMax(maxBytes)) as Promise<IteratorResult<Uint8Array, undefined>>;
  }

  /** Up to `maxBytes` buffered bytes without waiting, the end, or `undefined` when nothing is buffered. */
  tryRead(maxBytes?: number): IteratorResult<Uint8Array, undefined> | undefined {
    return this[streamQueue].tryRead(checkMax(maxBytes)) as IteratorResult<Uint8Array, undefined> | undefined;
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
}

/** The producer end of a byte stream. */
export class BytesWriter extends ProducerEnd<Uint8Array> {
  /**
   * Appends bytes. Ownership of `chunk` passes to the stream: do not modify it afterwards, nor
   * transfer or resize its buffer (over TCP a session sends it from where it is, possibly after the
   * call). Empty chunks are ignored.
   *
   * @throws CancelledError, ClosedError or AbortedError as `SequenceWriter.write`; TypeError for
   *   anything but a `Uint8Array`
   */
  write(chunk: Uint8Array): void {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`BytesWriter.write needs a Uint8Array, got ${typeof chunk}`);
    }
    if (chunk.byteLength === 0 && this[streamQueue].state === 'open') return;
    this[streamQueue].write(chunk);
  }
}

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
