import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import {
  AbortedError,
  bytes,
  bytesFrom,
  bytesToReadableStream,
  bytesWritableStream,
  CancelledError,
} from '../src/index.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('Bytes', () => {
  test('reads are not aligned to writes', async () => {
    const [stream, writer] = bytes();
    writer.write(encoder.encode('hello '));
    writer.write(encoder.encode('wide world'));
    void writer.close();
    expect(decoder.decode(await stream.readExactly(3))).toBe('hel');
    expect(decoder.decode(await stream.readExactly(6))).toBe('lo wid');
    expect(decoder.decode(await stream.readExactly(100))).toBe('e world');
    expect((await stream.read()).done).toBe(true);
  });

  test('flow control counts bytes', async () => {
    const [stream, writer] = bytes({ capacity: 10 });
    writer.write(new Uint8Array(8));
    await writer.flush();
    writer.write(new Uint8Array(8));
    expect(writer.desiredSize).toBe(-6);
    let flushed = false;
    const flushing = writer.flush().then(() => {
      flushed = true;
    });
    await stream.read(4);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(flushed).toBe(false); // 12 unread
    await stream.read(4);
    await flushing; // 8 unread < 10
    expect(flushed).toBe(true);
  });

  test('cancel, abort and write type errors', async () => {
    const [stream, writer] = bytes();
    stream.cancel(new Error('enough'));
    expect(() => writer.write(new Uint8Array(1))).toThrow(CancelledError);
    const [other, otherWriter] = bytes();
    otherWriter.abort();
    await expect(other.read()).rejects.toBeInstanceOf(AbortedError);
    const [, typed] = bytes();
    expect(() => typed.write('text' as unknown as Uint8Array)).toThrow(TypeError);
  });

  test('interop with web streams both ways', async () => {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('from '));
        controller.enqueue(encoder.encode('the web'));
        controller.close();
      },
    });
    const stream = bytesFrom(source);
    const [sink, sinkWriter] = bytes();
    await bytesToReadableStream(stream).pipeTo(bytesWritableStream(sinkWriter));
    expect(decoder.decode(await sink.readExactly(100))).toBe('from the web');
  });

  test('interop with Node streams both ways', async () => {
    const stream = bytesFrom(Readable.from([Buffer.from('node '), Buffer.from('streams')]));
    const received: Buffer[] = [];
    await pipeline(
      Readable.from(stream),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          received.push(chunk);
          callback();
        },
      }),
    );
    expect(Buffer.concat(received).toString()).toBe('node streams');
    const [sink, writer] = bytes();
    await pipeline(
      Readable.from([Buffer.from('into a writer')]),
      Writable.fromWeb(bytesWritableStream(writer)),
    );
    expect(decoder.decode(await sink.readExactly(100))).toBe('into a writer');
  });

  test('a source that fails aborts the stream with its error', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(1);
      throw new Error('disk gone');
    }
    const stream = bytesFrom(failing());
    await stream.read();
    const error = await stream.read().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toMatchObject({ message: 'disk gone' });
  });

  test('cancelling the consumer stops reading the source', async () => {
    let returned = false;
    async function* endless(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) yield new Uint8Array(1024);
      } finally {
        returned = true;
      }
    }
    const stream = bytesFrom(endless(), { capacity: 4096 });
    await stream.read();
    stream.cancel();
    for (let attempt = 0; attempt < 20 && !returned; attempt++) await new Promise((r) => setTimeout(r, 5));
    expect(returned).toBe(true);
  });
});
