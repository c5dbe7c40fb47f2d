import { type Bytes, type BytesWriter, bytes } from './bytes.ts';
import type { ConsumerOptions } from './consumer-options.ts';

/**
 * Bridges between byte streams and the platform's streams. Node streams need no special code:
 * `Readable.from(bytes)` reads a `Bytes`, `bytesFrom(nodeReadable)` makes one, and
 * `Writable.fromWeb(bytesWritableStream(writer))` writes into a `BytesWriter`.
 */

/**
 * A `Bytes` fed from a web `ReadableStream` or any async iterable of byte chunks (a Node
 * `Readable` is one). The source is read only as fast as the consumer's window allows; when the
 * consumer cancels, the source is cancelled (its iterator returned); when the source fails, the
 * stream ends with that error.
 */
export function bytesFrom(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: ConsumerOptions = {},
): Bytes {
  const [consumer, writer] = bytes(options);
  void pump(source, writer);
  return consumer;
}

async function pump(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, writer: BytesWriter) {
  const iterable: AsyncIterable<Uint8Array> =
    Symbol.asyncIterator in source ? source : readableStreamIterable(source as ReadableStream<Uint8Array>);
  const iterator = iterable[Symbol.asyncIterator]();
  try {
    for (;;) {
      await writer.flush();
      const next = await iterator.next();
      if (next.done) break;
      const chunk = next.value;
      writer.write(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk as ArrayBufferLike));
    }
    await writer.close();
  } catch (error) {
    if (writer.cancelled) {
      await iterator.return?.();
    } else {
      writer.abort(error);
    }
  }
}

async function* readableStreamIterable(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
    await stream.cancel().catch(() => {});
  }
}

/**
 * A web `ReadableStream` that reads a `Bytes` on demand (pull): cancelling the web stream cancels
 * the byte stream, and a failing byte stream errors the web stream.
 */
export function bytesToReadableStream(source: Bytes): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const result = await source.read();
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    cancel(reason) {
      source.cancel(reason);
    },
  });
}

/**
 * A web `WritableStream` that writes into a `BytesWriter`, honouring the consumer's window:
 * each write waits for `flush()`. Closing it closes the writer (without waiting for the consumer to
 * read everything); aborting it aborts the writer.
 */
export function bytesWritableStream(writer: BytesWriter): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      // Copy: the web stream contract lets the caller reuse its buffer after the write resolves.
      writer.write(chunk.slice());
      await writer.flush();
    },
    close() {
      // Closing the sink means "no more bytes", not "the consumer has read them all": do not wait
      // for the consumer, or a pipe that reads the consumer after the pipe ends would deadlock.
      void writer.close();
    },
    abort(reason) {
      writer.abort(reason);
    },
  });
}
