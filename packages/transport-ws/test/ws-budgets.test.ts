import { type CloseReason, type Connection, FrameTooLargeError } from '@msc/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { eventually } from '../../transport-tcp/test/fixtures/eventually.ts';
import { heldMemory } from '../../transport-tcp/test/fixtures/held-memory.ts';
import { recordingListener } from '../../transport-tcp/test/fixtures/recording-listener.ts';
import { ws } from '../src/index.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Listens on 127.0.0.1 with `options`; every accepted connection gets a recorder (and `prepare` first). */
async function listening(options: Parameters<typeof ws>[0] = {}, prepare?: (connection: Connection) => void) {
  const { accepted, listener, close } = await recordingListener(ws(options), 'ws://127.0.0.1:0/msc', prepare);
  cleanups.push(close);
  return { accepted, listener };
}

/** A raw `ws` client (no MSC on top), terminated after the test. */
async function rawClient(address: string) {
  const client = new WebSocket(address);
  client.on('error', () => {});
  cleanups.push(() => client.terminate());
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  const closed = new Promise<{ status: number }>((resolve) =>
    client.once('close', (status) => resolve({ status })),
  );
  return { client, closed };
}

describe('ws output budget (maxBufferedBytes)', () => {
  it('a client that sends pings and never reads is ended with "limit", and the server holds little for it', async () => {
    const { accepted, listener } = await listening({ maxBufferedBytes: 256 * 1024 });
    const { client } = await rawClient(listener.address);
    client.pause(); // never reads what the server sends (pongs included)
    // Written straight to the socket, as an attacker would: 16 Ki masked, empty ping frames per write.
    const socket = (client as unknown as { _socket: import('node:net').Socket })._socket;
    const pingFrame = Buffer.of(0x89, 0x80, 1, 2, 3, 4);
    const pings = Buffer.concat(Array.from({ length: 16 * 1024 }, () => pingFrame));
    await eventually(() => accepted.length === 1, 'the server to accept');
    const server = accepted[0]!.connection;
    let ended: CloseReason | undefined;
    void server.closed.then((reason) => {
      ended = reason;
    });
    const before = heldMemory();
    let peak = 0;
    const deadline = Date.now() + 10_000;
    while (ended === undefined && Date.now() < deadline) {
      // The attacker keeps its own side bounded: it pings only while its socket takes the pings.
      if (socket.writableLength < 1024 * 1024) socket.write(pings);
      peak = Math.max(peak, server.bufferedBytes);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(ended).toMatchObject({ code: 'limit', remote: false });
    expect(peak).toBeLessThan(2 * 1024 * 1024);
    expect(heldMemory() - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('a client that reads gets a pong echoing its ping and keeps its connection', async () => {
    const { accepted, listener } = await listening({ maxBufferedBytes: 64 * 1024 });
    const { client } = await rawClient(listener.address);
    const pongs: string[] = [];
    client.on('pong', (data) => pongs.push(data.toString()));
    client.ping('are you there?');
    await eventually(() => pongs.length === 1, 'a pong');
    expect(pongs).toEqual(['are you there?']); // a pong echoes its ping's data (RFC 6455)
    await eventually(() => accepted.length === 1, 'the server to accept');
    expect(accepted[0]!.frames.closedReasons).toEqual([]);
  });
});

describe('ws per-connection frame cap', () => {
  it('setMaxFrameBytes() lowers the cap of one connection: a larger message ends it with "protocol"', async () => {
    const { accepted, listener } = await listening({}, (connection) => connection.setMaxFrameBytes(100));
    const { client, closed } = await rawClient(listener.address);
    await eventually(() => accepted.length === 1, 'the server to accept');
    const server = accepted[0]!;
    client.send(new Uint8Array(100));
    await server.frames.untilFrames(1, 5_000);
    expect(() => server.connection.send(new Uint8Array(101))).toThrow(FrameTooLargeError);
    expect(() => server.connection.setMaxFrameBytes(16 * 1024 * 1024 + 1)).toThrow(RangeError);
    client.send(new Uint8Array(101));
    expect(await server.frames.untilClosed(5_000)).toMatchObject({ code: 'protocol', remote: true });
    expect((await closed).status).toBe(4002);
  });
});
