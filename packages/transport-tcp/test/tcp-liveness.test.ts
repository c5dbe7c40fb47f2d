import type { Connection } from '@msc/transport';
import { FrameRecorder } from '@msc/transport/compliance';
import { afterEach, describe, expect, it } from 'vitest';
import { tcp } from '../src/index.ts';
import { eventually, sleep } from './fixtures/eventually.ts';
import { pingWord, pongWord, rawClient, rawServer, word } from './fixtures/raw-peer.ts';
import { recordingListener } from './fixtures/recording-listener.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Listens with `options`, starting a recorder on every accepted connection. */
async function listening(options: Parameters<typeof tcp>[0]) {
  const { accepted, listener, close } = await recordingListener(tcp(options), 'tcp:127.0.0.1:0');
  cleanups.push(close);
  return { accepted, listener, port: Number(listener.address.split(':').at(-1)) };
}

/** Counts 4-byte ping words in what a raw peer received. */
function countWords(received: Buffer, value: number): number {
  let count = 0;
  for (let offset = 0; offset + 4 <= received.byteLength; offset += 4)
    if (received.readUInt32BE(offset) === value) count++;
  return count;
}

describe('dead-peer detection', () => {
  it('a raw peer that stops answering heartbeats is closed with code "timeout" within the idle timeout', async () => {
    const { accepted, port } = await listening({ idleTimeoutMs: 300, heartbeatIntervalMs: 100 });
    const peer = await rawClient(port);
    cleanups.push(() => peer.socket.destroy());
    const started = Date.now();
    while (accepted.length === 0) await sleep(5);
    const reason = await accepted[0]!.frames.untilClosed(5_000);
    const elapsed = Date.now() - started;
    expect(reason).toMatchObject({ code: 'timeout', remote: true });
    expect(reason.message).toContain('300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(countWords(peer.received(), pingWord)).toBeGreaterThanOrEqual(1); // it was asked, and did not answer
    await peer.ended; // and the socket is gone
  });

  it('a raw peer that answers every ping with a pong keeps the connection open past the idle timeout', async () => {
    const { accepted, port } = await listening({
      idleTimeoutMs: 200,
      heartbeatIntervalMs: 50,
      keepAliveDelayMs: 1_000,
    });
    const peer = await rawClient(port);
    cleanups.push(() => peer.socket.destroy());
    let answered = 0;
    peer.socket.on('data', (chunk: Buffer) => {
      for (let index = 0; index < countWords(chunk, pingWord); index++) {
        peer.socket.write(word(pongWord));
        answered++;
      }
    });
    await sleep(1_200); // three idle timeouts
    expect(answered).toBeGreaterThanOrEqual(3);
    expect(accepted[0]!.frames.closedReasons).toEqual([]);
  });

  it('a dialer notices a listener that went silent', async () => {
    const server = await rawServer(() => {}); // accepts, then never says a word
    cleanups.push(() => server.close());
    const connection = await tcp({ idleTimeoutMs: 200 }).dial(`tcp:127.0.0.1:${server.port}`);
    const frames = new FrameRecorder();
    connection.start(frames);
    expect(await frames.untilClosed(5_000)).toMatchObject({ code: 'timeout' });
    expect(await connection.closed).toMatchObject({ code: 'timeout' });
  });

  it('two idle tcp() ends keep each other alive with heartbeats', async () => {
    const { accepted, listener } = await listening({ idleTimeoutMs: 400, heartbeatIntervalMs: 100 });
    const connection = await tcp({ idleTimeoutMs: 400, heartbeatIntervalMs: 100 }).dial(listener.address);
    cleanups.push(() => connection.abort());
    const frames = new FrameRecorder();
    connection.start(frames);
    await sleep(1_200); // three idle timeouts
    expect(frames.closedReasons).toEqual([]);
    expect(accepted[0]!.frames.closedReasons).toEqual([]);
    connection.send(Uint8Array.of(5));
    await accepted[0]!.frames.untilFrames(1, 5_000);
  });

  it('with idleTimeoutMs 0 a silent peer is never timed out, and pings are still answered', async () => {
    const { accepted, port } = await listening({ idleTimeoutMs: 0 });
    const peer = await rawClient(port);
    cleanups.push(() => peer.socket.destroy());
    await sleep(300);
    peer.socket.write(word(pingWord));
    await eventually(() => countWords(peer.received(), pongWord) > 0, 'a pong');
    await sleep(100); // and only one
    expect(countWords(peer.received(), pongWord)).toBe(1);
    expect(countWords(peer.received(), pingWord)).toBe(0);
    expect(accepted[0]!.frames.closedReasons).toEqual([]);
  });

  it('an event loop blocked for three idle timeouts does not end connections to live peers', async () => {
    const { accepted, listener } = await listening({ idleTimeoutMs: 300, heartbeatIntervalMs: 100 });
    const connection = await tcp({ idleTimeoutMs: 300, heartbeatIntervalMs: 100 }).dial(listener.address);
    cleanups.push(() => connection.abort());
    const frames = new FrameRecorder();
    connection.start(frames);
    await eventually(() => accepted.length === 1, 'the accepted connection');
    // A long synchronous task: neither side can read or ping meanwhile, so the silence is ours.
    const blockedUntil = performance.now() + 900;
    while (performance.now() < blockedUntil);
    await sleep(600); // two idle timeouts of running normally again
    expect(frames.closedReasons).toEqual([]);
    expect(accepted[0]!.frames.closedReasons).toEqual([]);
    connection.send(Uint8Array.of(7));
    await accepted[0]!.frames.untilFrames(1, 5_000);
  });

  it('a receiver that is slow to take frames is not mistaken for a dead peer', async () => {
    const accepted: Connection[] = [];
    const options = { idleTimeoutMs: 400, heartbeatIntervalMs: 100, receiveBufferBytes: 64 * 1024 };
    const listener = await tcp(options).listen('tcp:127.0.0.1:0', (connection) => accepted.push(connection));
    cleanups.push(() => listener.close());
    const connection = await tcp(options).dial(listener.address);
    cleanups.push(() => connection.abort());
    cleanups.push(() => {
      for (const each of accepted) each.abort();
    });
    const dialedFrames = new FrameRecorder();
    connection.start(dialedFrames);
    for (let index = 0; index < 64; index++) connection.send(new Uint8Array(64 * 1024));
    await sleep(1_200); // the accepted side is not started: its reading pauses, both sides stay quiet otherwise
    expect(dialedFrames.closedReasons).toEqual([]);
    const frames = new FrameRecorder();
    accepted[0]!.start(frames);
    await frames.untilFrames(64, 10_000);
    expect(frames.closedReasons).toEqual([]);
  });
});
