import { type BytesWriter, bytes } from '@msc/eventual';
import { type FlowQueue, streamQueue } from '@msc/eventual/handler';
import { ByteParts } from '@msc/serialization';
import { describe, expect, test } from 'vitest';
import { type SendOutcome, sendWithinCredit } from '../src/stream-source-pump.ts';
import type { SourceStream } from '../src/wire-stream.ts';

// How a byte stream's source takes a batch (stream-source-pump.ts): the chunks as the producer wrote
// them, never joined into a new array first (the codec copies each once, into the frame, or leaves them
// in place for a connection that takes parts), the last one split as a view where only part of it fits
// the batch.

function byteSource(
  chunks: readonly Uint8Array[],
  credit: number,
  batchSize: number,
  ending: (writer: BytesWriter) => void = (writer) => void writer.close(),
): SourceStream {
  const [stream, writer] = bytes({ capacity: 1 << 30 });
  for (const chunk of chunks) writer.write(chunk);
  ending(writer);
  return {
    role: 'source',
    id: 3,
    queue: stream[streamQueue] as FlowQueue<unknown>,
    isBytes: true,
    credit,
    batchSize,
    itemBytes: 0,
    reading: false,
    pumpScheduled: false,
    started: true,
    ended: false,
    declaredWindow: 0,
    closing: false,
    sent: 0,
    read: 0,
  };
}

/** Runs one `sendWithinCredit` and returns the payloads of the `StreamItems` it sent. */
function payloads(source: SourceStream): (Uint8Array | ByteParts)[] {
  return run(source).sent;
}

/** Runs one `sendWithinCredit`: the payloads it sent and what it found behind them. */
function run(source: SourceStream): { sent: (Uint8Array | ByteParts)[]; outcome: SendOutcome } {
  const sent: (Uint8Array | ByteParts)[] = [];
  const outcome = sendWithinCredit(
    source,
    (message) => {
      sent.push(message[2] as Uint8Array | ByteParts);
      return 0;
    },
    () => undefined,
  );
  return { sent, outcome };
}

describe('a byte stream source', () => {
  test("a batch of several chunks is ByteParts of the producer's own arrays; a chunk past the batch is split as views", () => {
    const chunks = [0, 1, 2, 3, 4].map((index) => new Uint8Array(40_000).fill(index));
    const source = byteSource(chunks, 1 << 20, 100_000);
    const sent = payloads(source);
    expect(sent.map((payload) => payload.byteLength)).toStrictEqual([100_000, 100_000]);
    const [first, second] = sent as [ByteParts, ByteParts];
    expect(first).toBeInstanceOf(ByteParts);
    expect(first.parts[0]).toBe(chunks[0]);
    expect(first.parts[1]).toBe(chunks[1]);
    // The third chunk: its first 20,000 bytes end the first batch, the rest opens the second.
    expect(first.parts[2]!.buffer).toBe(chunks[2]!.buffer);
    expect(first.parts[2]!.byteLength).toBe(20_000);
    expect(second.parts[0]!.buffer).toBe(chunks[2]!.buffer);
    expect(second.parts[0]!.byteOffset).toBe(20_000);
    expect(second.parts).toHaveLength(3);
    expect(second.parts[1]).toBe(chunks[3]);
    expect(second.parts[2]).toBe(chunks[4]);
    expect(source.sent).toBe(200_000);
    expect(source.credit).toBe((1 << 20) - 200_000);
  });

  test('a batch of one bulk chunk is ByteParts of that chunk, a smaller one the chunk itself, and credit bounds a batch as the batch size does', () => {
    const chunk = new Uint8Array(64 * 1024).fill(9);
    const alone = payloads(byteSource([chunk], 1 << 20, 256 * 1024));
    expect(alone).toHaveLength(1);
    // Bulk even alone goes as ByteParts: given away, so a connection that takes parts writes it in place.
    expect(alone[0]).toBeInstanceOf(ByteParts);
    expect((alone[0] as ByteParts).parts).toStrictEqual([chunk]);
    expect((alone[0] as ByteParts).parts[0]).toBe(chunk);
    const small = new Uint8Array(32 * 1024 - 1).fill(8);
    const smallAlone = payloads(byteSource([small], 1 << 20, 256 * 1024));
    expect(smallAlone).toStrictEqual([small]);
    expect(smallAlone[0]).toBe(small);
    const limited = byteSource([chunk, chunk], 70_000, 256 * 1024);
    const sent = payloads(limited);
    expect(sent.map((payload) => payload.byteLength)).toStrictEqual([70_000]);
    expect(limited.credit).toBe(0);
  });

  test('credit smaller than a chunk splits it across runs as views, and the end follows the last byte', () => {
    const chunk = new Uint8Array(100_000).fill(3);
    const source = byteSource([chunk], 30_000, 256 * 1024);
    const first = run(source);
    expect(first.outcome).toStrictEqual({ kind: 'waiting' });
    expect((first.sent[0] as Uint8Array).buffer).toBe(chunk.buffer);
    expect(first.sent[0]!.byteLength).toBe(30_000);
    source.credit = 1 << 20; // the sink's next grant
    const second = run(source);
    expect(second.sent.map((payload) => payload.byteLength)).toStrictEqual([70_000]);
    // 70,000 bytes are bulk: ByteParts of one view of the chunk.
    const rest = (second.sent[0] as ByteParts).parts;
    expect(rest).toHaveLength(1);
    expect(rest[0]!.buffer).toBe(chunk.buffer);
    expect(rest[0]!.byteOffset).toBe(30_000);
    expect(second.outcome).toStrictEqual({ kind: 'closed' });
    expect(source.sent).toBe(100_000);
  });

  test('bytes written before a close with an error go out first, then the error; an abort fails at once', () => {
    const failure = new Error('disk gone');
    const closedWithError = run(
      byteSource([new Uint8Array(10), new Uint8Array(20)], 1 << 20, 1024, (writer) => {
        void writer.close(failure);
      }),
    );
    expect(closedWithError.sent.map((payload) => payload.byteLength)).toStrictEqual([30]);
    expect(closedWithError.outcome).toStrictEqual({ kind: 'failed', error: failure });
    const aborted = run(byteSource([new Uint8Array(10)], 1 << 20, 1024, (writer) => writer.abort(failure)));
    expect(aborted.sent).toStrictEqual([]);
    expect(aborted.outcome.kind).toBe('failed');
  });
});
