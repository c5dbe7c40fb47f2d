import { Socket } from 'node:net';
import type { Connection } from '@msc/transport';
import { FrameRecorder } from '@msc/transport/compliance';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tcp } from '../src/index.ts';
import { eventually, sleep } from './fixtures/eventually.ts';
import { rawClient, rawServer, wireFrame, word } from './fixtures/raw-peer.ts';
import { recordingListener } from './fixtures/recording-listener.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A tcp() listener on 127.0.0.1 whose accepted connections are started with a recorder each. */
async function listening(options: Parameters<typeof tcp>[0] = {}) {
  const { accepted, listener, close } = await recordingListener(tcp(options), 'tcp:127.0.0.1:0');
  cleanups.push(close);
  const port = Number(listener.address.split(':').at(-1));
  return { listener, accepted, port };
}

describe('the TCP wire format', () => {
  it('frames written byte by byte by a raw peer arrive whole, empty ones included', async () => {
    const { accepted, port } = await listening();
    const client = await rawClient(port);
    cleanups.push(() => client.socket.destroy());
    const wire = Buffer.concat([
      wireFrame(Uint8Array.of(1, 2, 3)),
      wireFrame(new Uint8Array(0)),
      wireFrame(new Uint8Array(300).fill(9)),
    ]);
    for (const byte of wire) {
      client.socket.write(Uint8Array.of(byte));
      await sleep(0);
    }
    await eventually(() => accepted[0]?.frames.frames.length === 3, 'three frames');
    const frames = accepted[0]!.frames.frames;
    expect(Array.from(frames[0]!)).toEqual([1, 2, 3]);
    expect(frames[1]!.byteLength).toBe(0);
    expect(frames[2]!.byteLength).toBe(300);
    expect(frames[2]!.every((byte) => byte === 9)).toBe(true);
  });

  it('an oversized length prefix closes only that connection, with code "protocol", before any allocation', async () => {
    const { accepted, port } = await listening({ maxFrameBytes: 1024 });
    const good = await rawClient(port);
    const bad = await rawClient(port);
    cleanups.push(() => good.socket.destroy());
    cleanups.push(() => bad.socket.destroy());
    await eventually(() => accepted.length === 2, 'two accepted connections');
    good.socket.write(wireFrame(Uint8Array.of(1)));
    await eventually(() => accepted.some(({ frames }) => frames.frames.length === 1), 'the good frame');
    const badSide = accepted.find(({ frames }) => frames.frames.length === 0)!;
    // 'GET ' read as a length is about 1.2 GB: refused from the prefix alone (the payload never comes).
    bad.socket.write('GET / HTTP/1.1\r\n\r\n');
    const reason = await badSide.frames.untilClosed(5_000);
    expect(reason).toMatchObject({ code: 'protocol', remote: true });
    expect(reason.message).toContain('at most 1024 bytes');
    expect(reason.message).toContain(String(0x47455420));
    await bad.ended; // the raw client was told, then disconnected
    const goodSide = accepted.find((entry) => entry !== badSide)!;
    good.socket.write(wireFrame(Uint8Array.of(2)));
    await goodSide.frames.untilFrames(2, 5_000);
    expect(goodSide.frames.closedReasons).toEqual([]);
  });

  it('an unknown control word is a protocol violation', async () => {
    const { accepted, port } = await listening();
    const client = await rawClient(port);
    cleanups.push(() => client.socket.destroy());
    client.socket.write(word(0xffff_fff0));
    await eventually(() => accepted.length === 1, 'the connection');
    expect(await accepted[0]!.frames.untilClosed(5_000)).toMatchObject({ code: 'protocol' });
  });

  it('many small frames sent in one turn go out in one socket write', async () => {
    const chunks: Buffer[] = [];
    const server = await rawServer((socket) => socket.on('data', (chunk: Buffer) => chunks.push(chunk)));
    cleanups.push(() => server.close());
    const connection = await tcp().dial(`tcp:127.0.0.1:${server.port}`);
    cleanups.push(() => connection.abort());
    for (let index = 0; index < 1000; index++) connection.send(Uint8Array.of(index & 0xff, 1, 2, 3));
    expect(connection.bufferedBytes).toBe(4000); // accepted, not yet written: the flush runs after this turn
    await eventually(
      () => chunks.reduce((total, chunk) => total + chunk.byteLength, 0) === 8000,
      'all 8000 bytes',
    );
    // One write of 8000 bytes; the receiving kernel may still split it, but never into hundreds of pieces.
    expect(chunks.length).toBeLessThan(10);
    const wire = Buffer.concat(chunks);
    expect(wire.readUInt32BE(0)).toBe(4);
    expect(wire.readUInt32BE(8 * 999)).toBe(4);
    expect(wire[8 * 999 + 4]).toBe(999 & 0xff);
  });

  it('frames sent over the microtasks of one turn (the returns of a pipelined chain) go out in one socket write', async () => {
    const chunks: Buffer[] = [];
    const server = await rawServer((socket) => socket.on('data', (chunk: Buffer) => chunks.push(chunk)));
    cleanups.push(() => server.close());
    const connection = await tcp().dial(`tcp:127.0.0.1:${server.port}`);
    cleanups.push(() => connection.abort());
    const writes = vi.spyOn(Socket.prototype, 'write');
    cleanups.push(() => writes.mockRestore());
    // As a session sends: from a microtask, the second frame some microtasks after the first.
    await Promise.resolve().then(async () => {
      connection.send(Uint8Array.of(1));
      for (let hop = 0; hop < 20; hop++) await undefined;
      connection.send(Uint8Array.of(2, 2));
    });
    await eventually(
      () => chunks.reduce((total, chunk) => total + chunk.byteLength, 0) === 11,
      'both frames',
    );
    expect(writes).toHaveBeenCalledTimes(1);
    expect([...Buffer.concat(chunks)]).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 2, 2, 2]);
  });

  it('close() tells the peer its code and message; abort() reaches the peer as "aborted"', async () => {
    const { accepted, listener } = await listening();
    const transport = tcp();
    const first = await transport.dial(listener.address);
    cleanups.push(() => first.abort());
    first.start(new FrameRecorder());
    await eventually(() => accepted.length === 1, 'the first connection');
    await first.close({ code: 'protocol', message: 'you spoke nonsense' });
    expect(await accepted[0]!.frames.untilClosed(5_000)).toEqual({
      code: 'protocol',
      message: 'you spoke nonsense',
      remote: true,
    });

    const second = await transport.dial(listener.address);
    second.start(new FrameRecorder());
    await eventually(() => accepted.length === 2, 'the second connection');
    second.abort(new Error('gone'));
    const reason = await accepted[1]!.frames.untilClosed(5_000);
    expect(reason).toMatchObject({ code: 'aborted', remote: true });
    expect(reason.message).toContain('gone');
  });

  it('a peer that resets the connection is reported as "error"', async () => {
    const server = await rawServer((socket) => setTimeout(() => socket.resetAndDestroy(), 20));
    cleanups.push(() => server.close());
    const connection = await tcp().dial(`tcp:127.0.0.1:${server.port}`);
    const frames = new FrameRecorder();
    connection.start(frames);
    expect(await frames.untilClosed(5_000)).toMatchObject({ code: 'error', remote: true });
    expect(() => connection.send(Uint8Array.of(1))).toThrow(/closed/);
  });
});

describe('backpressure', () => {
  it('a peer that does not read makes bufferedBytes grow, and whenDrained() waits until it reads', async () => {
    let peer: import('node:net').Socket | undefined;
    const server = await rawServer((socket) => {
      peer = socket;
      socket.pause();
    });
    cleanups.push(() => server.close());
    const connection = await tcp().dial(`tcp:127.0.0.1:${server.port}`);
    cleanups.push(() => connection.abort());
    const chunk = new Uint8Array(1024 * 1024);
    // Fill the kernel buffers of both ends: loopback buffers hold a few MiB at most.
    for (let index = 0; index < 32; index++) connection.send(chunk.slice());
    await sleep(100);
    expect(connection.bufferedBytes).toBeGreaterThan(64 * 1024);
    let drained = false;
    const waiting = connection.whenDrained().then(() => {
      drained = true;
    });
    await sleep(50);
    expect(drained).toBe(false);
    peer!.resume();
    await waiting;
    expect(connection.bufferedBytes).toBeLessThanOrEqual(64 * 1024);
  });

  it('a receiver that does not take its frames pushes back on the sender through TCP', async () => {
    const accepted: Connection[] = [];
    const listener = await tcp({ receiveBufferBytes: 256 * 1024 }).listen('tcp:127.0.0.1:0', (connection) => {
      accepted.push(connection); // never started: frames pile up in its inbox, then reading pauses
    });
    cleanups.push(() => listener.close());
    const connection = await tcp().dial(listener.address);
    cleanups.push(() => connection.abort());
    cleanups.push(() => {
      for (const each of accepted) each.abort();
    });
    for (let index = 0; index < 48; index++) connection.send(new Uint8Array(256 * 1024));
    await sleep(200);
    expect(connection.bufferedBytes).toBeGreaterThan(1024 * 1024);
    const frames = new FrameRecorder();
    accepted[0]!.start(frames);
    await frames.untilFrames(48, 10_000);
    await connection.whenDrained();
  });
});
