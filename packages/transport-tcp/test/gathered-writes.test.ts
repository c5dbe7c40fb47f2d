import { createHash } from 'node:crypto';
import { type Bytes, bytes, type Proxy, proxy } from '@msc/eventual';
import { ByteParts } from '@msc/serialization';
import { memoryTraceSink, Scope, traceMessages, unauthenticated } from '@msc/session';
import type { Connection, Transport } from '@msc/transport';
import { afterEach, describe, expect, test } from 'vitest';
import { isDrained } from '../../session/test/fixtures/leak-check.ts';
import { tcp } from '../src/index.ts';

/**
 * Gather writes over TCP on 127.0.0.1: a TCP connection takes a frame as pieces
 * (`Connection.takesParts`), so a session sends a bulk byte-stream batch from the producer's own
 * chunks, which `BytesWriter.write` gave away, without copying them into a frame first. Bytes that
 * are only lent (a call's `Uint8Array` argument) are still copied at the call: changing them after
 * the call changes nothing the peer reads.
 */

interface ISink {
  /** Reads `data` to the end: its length and SHA-256. */
  upload(data: Bytes): Promise<{ bytes: number; sha256: string }>;
  /** The SHA-256 of `data` as it arrived. */
  keep(data: Uint8Array): string;
  /** The SHA-256 of `first` and `second` as they arrived, one after the other. */
  keepBoth(first: Uint8Array, second: Uint8Array): string;
}

class Sink implements ISink {
  async upload(data: Bytes): Promise<{ bytes: number; sha256: string }> {
    const hash = createHash('sha256');
    let total = 0;
    for await (const chunk of data) {
      hash.update(chunk);
      total += chunk.byteLength;
    }
    return { bytes: total, sha256: hash.digest('hex') };
  }
  keep(data: Uint8Array): string {
    return sha256(data);
  }
  keepBoth(first: Uint8Array, second: Uint8Array): string {
    return sha256(first, second);
  }
}

function sha256(...parts: Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

function pattern(length: number, seed: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let index = 0; index < length; index++) data[index] = (index * 7 + seed) & 0xff;
  return data;
}

/** A TCP transport whose dialed connections record the pieces of every `sendParts` call. */
function recordingTcp(sentParts: (readonly Uint8Array[])[]): Transport {
  const inner = tcp();
  return {
    name: inner.name,
    listen: (address, onConnection, options) => inner.listen(address, onConnection, options),
    async dial(address, options) {
      const connection = await inner.dial(address, options);
      // A proxy that forwards to the connection itself (its private fields need it as `this`).
      return new Proxy(connection, {
        get(target, key) {
          if (key === 'sendParts') {
            return (parts: readonly Uint8Array[]) => {
              sentParts.push(parts);
              target.sendParts!(parts);
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as Connection;
    },
  };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(options: { trace?: ReturnType<typeof traceMessages> } = {}) {
  const sentParts: (readonly Uint8Array[])[] = [];
  const root = proxy<ISink>(new Sink());
  const server = new Scope({ transport: tcp(), authenticator: unauthenticated(), root });
  root[Symbol.dispose]();
  cleanups.push(() => server.close());
  const listener = await server.listen('tcp:127.0.0.1:0');
  const client = new Scope({
    transport: recordingTcp(sentParts),
    authenticator: unauthenticated(),
    ...(options.trace === undefined ? {} : { trace: options.trace }),
  });
  cleanups.push(() => client.close());
  const sink: Proxy<ISink> = await client.connect<ISink>(listener.address);
  return { sink, sentParts, client, server };
}

describe('gather writes over TCP', () => {
  test('a TCP connection takes parts', async () => {
    const connection = await tcp()
      .listen('tcp:127.0.0.1:0', () => {})
      .then(async (listener) => {
        cleanups.push(() => listener.close());
        return tcp().dial(listener.address);
      });
    cleanups.push(async () => connection.abort());
    expect(connection.takesParts).toBe(true);
    expect(typeof connection.sendParts).toBe('function');
  });

  test("a bulk byte stream is sent from the producer's own chunks, and every byte arrives", async () => {
    const { sink, sentParts } = await connect();
    const chunks = [0, 1, 2, 3, 4, 5].map((seed) => pattern(96 * 1024 + seed, seed));
    const [data, writer] = bytes();
    const uploaded = sink.upload(data);
    for (const chunk of chunks) writer.write(chunk);
    void writer.close();
    expect(await uploaded).toStrictEqual({
      bytes: chunks.reduce((total, chunk) => total + chunk.byteLength, 0),
      sha256: sha256(...chunks),
    });
    // Each chunk went out as itself (or as views of its own buffer where a batch ended inside it).
    const pieces = sentParts.flat();
    for (const chunk of chunks) expect(pieces.some((piece) => piece.buffer === chunk.buffer)).toBe(true);
    sink[Symbol.dispose]();
  });

  test('a lent bulk argument is copied at the call: changing it right after changes nothing sent', async () => {
    const { sink, sentParts } = await connect();
    const argument = pattern(256 * 1024, 9);
    const original = sha256(argument);
    const kept = sink.keep(argument);
    argument.fill(0); // before the outbox's flush and the socket's write
    expect(await kept).toBe(original);
    expect(sentParts.flat().some((piece) => piece.buffer === argument.buffer)).toBe(false);
    sink[Symbol.dispose]();
  });

  test('a lent bulk array beside given ByteParts in one message: the given pieces go in place, the lent array as a copy made at the call', async () => {
    const { sink, sentParts } = await connect();
    const lent = pattern(64 * 1024, 6);
    const given = pattern(48 * 1024, 7);
    const expected = sha256(lent, given);
    const kept = sink.keepBoth(lent, new ByteParts([given]) as unknown as Uint8Array);
    lent.fill(0); // before the outbox's flush and the socket's write
    expect(await kept).toBe(expected);
    // The message went gathered (given was sent as itself), yet nothing of the lent array's buffer.
    const pieces = sentParts.flat();
    expect(pieces).toContain(given);
    expect(pieces.some((piece) => piece.buffer === lent.buffer)).toBe(false);
    sink[Symbol.dispose]();
  });

  test('ByteParts given as an argument are sent in place, and arrive joined', async () => {
    const { sink, sentParts } = await connect();
    const given = [pattern(40 * 1024, 1), pattern(10, 2), pattern(70 * 1024, 3)];
    expect(await sink.keep(new ByteParts(given) as unknown as Uint8Array)).toBe(sha256(...given));
    const pieces = sentParts.flat();
    for (const piece of given) expect(pieces).toContain(piece);
    sink[Symbol.dispose]();
  });

  test.each(['messages', 'payloads'] as const)(
    'a traced gathered message counts its bytes (level %s), with the joined frame as its payload',
    async (level) => {
      const events = memoryTraceSink();
      const { sink, client, sentParts } = await connect({ trace: traceMessages({ level, sink: events }) });
      const chunk = pattern(64 * 1024, 4);
      const [data, writer] = bytes();
      const uploaded = sink.upload(data);
      writer.write(chunk);
      void writer.close();
      expect((await uploaded).sha256).toBe(sha256(chunk));
      expect(sentParts.flat()).toContain(chunk); // it went gathered
      const items = events.events.filter(
        (event) => event.type === 'StreamItems' && event.direction === 'out',
      );
      expect(items).toHaveLength(1);
      // The frame: the message's CBOR head, then the chunk's bytes.
      expect(items[0]!.size).toBeGreaterThan(chunk.byteLength);
      expect(items[0]!.size).toBeLessThan(chunk.byteLength + 32);
      if (level === 'messages') {
        expect(items[0]!.payload).toBeUndefined();
      } else {
        const payload = items[0]!.payload!;
        expect(payload.byteLength).toBe(items[0]!.size);
        expect(Buffer.from(payload.subarray(payload.byteLength - chunk.byteLength)).equals(chunk)).toBe(true);
      }
      sink[Symbol.dispose]();
      await client.close();
    },
  );

  test('a piece detached after sendParts() shrinks its own frame only: the frames after it arrive intact', async () => {
    const listener = await tcp().listen('tcp:127.0.0.1:0', (connection) => {
      connection.start({ frame: (frame) => received.push(frame.slice()), closed: () => {} });
      cleanups.push(async () => connection.abort());
    });
    cleanups.push(() => listener.close());
    const received: Uint8Array[] = [];
    const dialed = await tcp().dial(listener.address);
    cleanups.push(async () => dialed.abort());
    dialed.start({ frame: () => {}, closed: () => {} });
    const head = pattern(10, 1);
    const doomed = pattern(64 * 1024, 2);
    dialed.sendParts!([head, doomed]);
    structuredClone(doomed.buffer, { transfer: [doomed.buffer] }); // a misuse: the piece is gone before the write
    dialed.send(pattern(100, 3));
    await expect.poll(() => received.length).toBe(2);
    expect(received[0]).toStrictEqual(head);
    expect(received[1]).toStrictEqual(pattern(100, 3));
  });

  test('after a gathered upload, both sides are back to their roots', async () => {
    const { sink, client, server } = await connect();
    const [data, writer] = bytes();
    const uploaded = sink.upload(data);
    writer.write(pattern(200 * 1024, 5));
    void writer.close();
    await uploaded;
    sink[Symbol.dispose]();
    await expect.poll(() => [...client.sessions, ...server.sessions].every(isDrained)).toBe(true);
  });
});
