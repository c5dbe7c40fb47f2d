import { connect, type Socket } from 'node:net';
import type { CloseReason, Connection, Listener } from '@msc/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { tcp } from '../src/index.ts';
import { driverOf } from './fixtures/driver-of.ts';
import { eventually, sleep } from './fixtures/eventually.ts';
import { word } from './fixtures/raw-peer.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const closeTimeoutMs = 300;
/** Far more than loopback's kernel buffers (send and receive) hold, so much of it stays queued in the server. */
const replyFrames = 3;
const replyFrameBytes = 8 << 20;

/** Listens with a small close timeout; every accepted connection is started and listed. */
async function listening(): Promise<{ listener: Listener; port: number; accepted: Connection[] }> {
  const accepted: Connection[] = [];
  const listener = await tcp({ closeTimeoutMs }).listen('tcp:127.0.0.1:0', (connection) => {
    connection.start({ frame() {}, closed() {} });
    accepted.push(connection);
  });
  cleanups.push(async () => {
    for (const connection of accepted) connection.abort();
    await listener.close();
  });
  return { listener, port: Number(listener.address.split(':').at(-1)), accepted };
}

/** A raw client that connects and never reads (so whatever the server sends stays queued on the server). */
async function nonReadingClient(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  socket.pause();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  cleanups.push(() => socket.destroy());
  return socket;
}

/** Has `connection` send more than the kernel holds, and waits until the rest stays queued in the server. */
async function stuckReply(connection: Connection): Promise<void> {
  for (let index = 0; index < replyFrames; index++) connection.send(new Uint8Array(replyFrameBytes));
  await sleep(200);
  await eventually(() => connection.bufferedBytes > 0, 'bytes to stay queued for the client');
}

/**
 * A listener, a client that never reads, the server's end of their connection, and that end with
 * more queued for the client than the kernel holds.
 */
async function stuckConnection(): Promise<{ listener: Listener; client: Socket; connection: Connection }> {
  const { listener, port, accepted } = await listening();
  const client = await nonReadingClient(port);
  await eventually(() => accepted.length === 1, 'the connection to be accepted');
  const connection = accepted[0]!;
  await stuckReply(connection);
  return { listener, client, connection };
}

describe('every ending of a connection is bounded by closeTimeoutMs', () => {
  it('a peer that half-closes and never reads does not keep the socket or its place', async () => {
    const { listener, client, connection } = await stuckConnection();

    client.end(); // FIN, and still no reading
    const reason: CloseReason = await connection.closed;
    expect(reason).toMatchObject({ code: 'normal', remote: true });
    // Without the linger timer the count stays at 1 for good; with it, it drops once closeTimeoutMs has passed.
    await eventually(() => listener.stats!().connections === 0, 'the listener to hold no connection', 3_000);
  });

  it('a peer that confirms our close with its FIN and never reads does not keep the socket or its place', async () => {
    const { listener, client, connection } = await stuckConnection();

    void connection.close({ message: 'done' });
    client.end(); // confirms the close before the close timeout, and still no reading
    const reason: CloseReason = await connection.closed;
    expect(reason).toMatchObject({ code: 'normal', remote: false });
    // Without the linger timer the count stays at 1 for good; with it, it drops once closeTimeoutMs has passed.
    await eventually(() => listener.stats!().connections === 0, 'the listener to hold no connection', 3_000);
  });
});

describe('an ended connection reads nothing more into memory', () => {
  it('after an abort, a frame the peer goes on sending is dropped as it arrives, not assembled', async () => {
    const { port, accepted } = await listening();
    // Half-open allowed, so our abort's FIN does not end the client's writing.
    const client = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    client.on('error', () => {});
    cleanups.push(() => client.destroy());
    await eventually(() => accepted.length === 1, 'the connection to be accepted');
    const connection = accepted[0]!;
    connection.abort(new Error('refused'));
    expect(driverOf(connection).heldPieces).toBe(0);

    // A frame of 1 MiB declared, 256 KiB of it sent in several writes: before the fix its pieces were held.
    client.write(word(1 << 20));
    for (let index = 0; index < 4; index++) client.write(Buffer.alloc(64 * 1024, index));
    await new Promise<void>((resolve) => client.write(Buffer.alloc(1), () => resolve()));
    await sleep(200);
    expect(driverOf(connection).heldPieces).toBe(0);
    expect(await connection.closed).toMatchObject({ code: 'aborted', remote: false });
  });
});
