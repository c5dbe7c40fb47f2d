import type { Bytes } from '@msc/eventual';
import type { Connection } from '@msc/transport';
import { describe, expect, test } from 'vitest';
import { writtenBytes } from './fixtures/written-bytes.ts';
import { served } from './harness.ts';

// Bulk data (a message of 32 KiB or more) is copied once on its way out: encoded straight into a
// frame of its own that owns its buffer, never packed with the housekeeping messages of its turn.

interface IBulk {
  echo(data: Uint8Array): Promise<Uint8Array>;
  /** Checks `data` is filled with `fill` and returns its length plus the note's. */
  put(data: Uint8Array, fill: number, note: string): Promise<number>;
  download(chunkBytes: number, chunks: number): Bytes;
}

class Bulk implements IBulk {
  async echo(data: Uint8Array) {
    return data;
  }
  async put(data: Uint8Array, fill: number, note: string) {
    if (!data.every((byte) => byte === fill)) throw new Error('the bytes changed on the way');
    return data.byteLength + note.length;
  }
  download(chunkBytes: number, chunks: number) {
    return writtenBytes(new Array<number>(chunks).fill(chunkBytes));
  }
}

interface IMixed {
  /** A byte stream written as one chunk per entry of `sizes`, each filled with its index. */
  chunks(sizes: number[]): Bytes;
}

class Mixed implements IMixed {
  chunks(sizes: number[]) {
    return writtenBytes(sizes);
  }
}

/** Records the frames `connection` sends. */
function recordFrames(connection: Connection): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const send = connection.send.bind(connection);
  connection.send = (frame) => {
    frames.push(frame as Uint8Array);
    send(frame);
  };
  return frames;
}

const spansItsBuffer = (frame: Uint8Array) =>
  frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength;
// A frame of several messages opens with a 4-byte length (first byte below 0x80); one message alone opens with its CBOR header.
const isSingleMessage = (frame: Uint8Array) => frame[0]! >= 0x80;

describe('bulk frames', () => {
  test('a 1 MiB argument and its echo each travel alone in a frame that owns its buffer, byte for byte', async () => {
    const { remote, connections } = served<IBulk>(new Bulk());
    const sentByDialer = recordFrames(connections[0]);
    const sentByListener = recordFrames(connections[1]);
    const data = new Uint8Array(1024 * 1024).map((_, index) => (index * 13) & 0xff);
    // Several calls in one turn: their Call messages would share a frame if they were small.
    const echoes = await Promise.all([remote.echo(data), remote.echo(data), remote.echo(data)]);
    for (const echoed of echoes) expect(Buffer.from(echoed).equals(data)).toBe(true);
    for (const sent of [sentByDialer, sentByListener]) {
      const large = sent.filter((frame) => frame.byteLength > data.byteLength);
      expect(large).toHaveLength(3);
      for (const frame of large) {
        expect(isSingleMessage(frame)).toBe(true);
        expect(spansItsBuffer(frame)).toBe(true);
        expect(frame.byteLength).toBeLessThan(data.byteLength + 64);
      }
    }
  });

  test('a byte stream written in 64 KiB chunks arrives whole and in order, in batches of up to the consumer batchSize', async () => {
    const { remote } = served<IBulk>(new Bulk());
    const stream = remote.download(64 * 1024, 16);
    stream.capacity = 1024 * 1024;
    stream.batchSize = 256 * 1024;
    const received: Uint8Array[] = [];
    for await (const chunk of stream) received.push(chunk);
    expect(Math.max(...received.map((chunk) => chunk.byteLength))).toBeLessThanOrEqual(256 * 1024);
    const all = Buffer.concat(received);
    expect(all.byteLength).toBe(16 * 64 * 1024);
    for (let index = 0; index < 16; index++) expect(all[index * 64 * 1024 + 100]).toBe(index);
  });

  test('a byte stream sends each batch of chunks in one frame of its own, not a frame per chunk', async () => {
    const { remote, connections } = served<IBulk>(new Bulk());
    const sentByListener = recordFrames(connections[1]);
    const stream = remote.download(64 * 1024, 16);
    stream.capacity = 1024 * 1024;
    stream.batchSize = 256 * 1024;
    let total = 0;
    for await (const chunk of stream) total += chunk.byteLength;
    expect(total).toBe(16 * 64 * 1024);
    // Four chunks a batch: four frames of a batch each (not sixteen of a chunk), each its own buffer.
    const large = sentByListener.filter((frame) => frame.byteLength > 64 * 1024);
    expect(large).toHaveLength(4);
    for (const frame of large) {
      expect(isSingleMessage(frame)).toBe(true);
      expect(spansItsBuffer(frame)).toBe(true);
      expect(frame.byteLength).toBeGreaterThan(256 * 1024);
      expect(frame.byteLength).toBeLessThan(256 * 1024 + 64);
    }
  });

  test('a byte stream of small writes, and of small and large ones mixed, arrives whole and in order in few frames', async () => {
    const { remote, connections } = served<IMixed>(new Mixed());
    const sentByListener = recordFrames(connections[1]);
    const sizes = Array.from({ length: 600 }, (_, index) => (index % 50 === 49 ? 40_000 : 100 + (index % 7)));
    const stream = remote.chunks(sizes);
    stream.batchSize = 64 * 1024;
    const received: Uint8Array[] = [];
    for await (const chunk of stream) received.push(chunk);
    const expected = Buffer.concat(sizes.map((size, index) => new Uint8Array(size).fill(index & 0xff)));
    expect(Buffer.concat(received).equals(expected)).toBe(true);
    // 600 writes, about 540 KB: batches of up to 64 KiB, not a frame per write.
    expect(sentByListener.length).toBeLessThan(40);
  });

  test('a call with bulk bytes and a large string after earlier traffic arrives intact', async () => {
    // The earlier calls leave the codec's shared buffer part-used; the string after the bulk bytes
    // moves the frame to a new buffer before it ends (the bulk bytes' place must move with it).
    const { remote } = served<IBulk>(new Bulk());
    for (let index = 0; index < 3; index++) await remote.put(new Uint8Array(10).fill(1), 1, 'x'.repeat(1500));
    expect(await remote.put(new Uint8Array(40_000).fill(7), 7, 'y'.repeat(10_000))).toBe(50_000);
    remote[Symbol.dispose]();
  });
});
