import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Connection, Listener, LogEvent, Logger } from '@msc/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../transport-tcp/test/fixtures/eventually.ts';
import { ws } from '../src/index.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];

/** A logger that keeps the events it is told. */
function recordingLogger(): Logger & { readonly events: LogEvent[] } {
  const events: LogEvent[] = [];
  return { events, info: (event) => void events.push(event), warn: (event) => void events.push(event) };
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Listens with `options` on `address`; every connection echoes its frames. */
async function echoListener(options: Parameters<typeof ws>[0], address: string): Promise<Listener> {
  const accepted: Connection[] = [];
  const listener = await ws(options).listen(address, (connection) => {
    accepted.push(connection);
    connection.start({ frame: (frame) => connection.send(frame), closed: () => {} });
  });
  cleanups.push(async () => {
    for (const connection of accepted) connection.abort();
    await listener.close();
  });
  return listener;
}

/** Dials `address` and returns a function that sends a frame and waits for its echo. */
async function echoClient(
  address: string,
): Promise<((text: string) => Promise<string>) & { connection: Connection }> {
  const connection = await ws().dial(address, { timeoutMs: 5_000 });
  cleanups.push(() => connection.abort());
  const waiting: ((text: string) => void)[] = [];
  connection.start({
    frame: (frame) => waiting.shift()?.(new TextDecoder().decode(frame)),
    closed: () => {},
  });
  const roundTrip = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('expected an echo within 5 s')), 5_000);
      waiting.push((echoed) => {
        clearTimeout(timer);
        resolve(echoed);
      });
      connection.send(new TextEncoder().encode(text));
    });
  return Object.assign(roundTrip, { connection });
}

/** A raw socket that sends `request` (if any) and records what comes back until it closes. */
function rawSocket(port: number, request?: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    cleanups.push(() => socket.destroy());
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    const closed = new Promise<string>((settle) => socket.once('close', () => settle(received)));
    socket.once('connect', () => {
      if (request !== undefined) socket.write(request);
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

const upgrade = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

describe('a connection aborted on arrival', () => {
  it('sends its close frame and ends the TCP side at once, without waiting closeTimeoutMs for the peer to answer', async () => {
    // As a scope at maxPendingSessions does: every connection is aborted as it arrives.
    const listener = await ws({ closeTimeoutMs: 30_000 }).listen('ws://127.0.0.1:0/msc', (connection) =>
      connection.abort(new Error('refused on arrival')),
    );
    cleanups.push(() => listener.close());
    const port = Number(new URL(listener.address).port);
    // A client that completes the upgrade and never answers the close frame.
    const { socket } = await rawSocket(port, upgrade('/msc'));
    const bytes: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => bytes.push(chunk));
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('expected the server to end its side within 2 s')),
        2_000,
      );
      socket.once('end', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    const received = Buffer.concat(bytes);
    const text = received.toString('latin1');
    expect(text.startsWith('HTTP/1.1 101')).toBe(true);
    const frame = received.subarray(text.indexOf('\r\n\r\n') + 4);
    // An unmasked close frame (FIN, opcode 8) whose status is 4001.
    expect(frame[0]).toBe(0x88);
    expect(frame.readUInt16BE(2)).toBe(4001);
  });
});

describe('maxConnections per listener', () => {
  it('on its own port: sockets past the limit are closed on arrival and counted; the limit frees up as they close', async () => {
    const logger = recordingLogger();
    const listener = await echoListener({ maxConnections: 3, logger }, 'ws://127.0.0.1:0/msc');
    const port = Number(new URL(listener.address).port);
    const bystander = await echoClient(listener.address);
    expect(await bystander('before')).toBe('before');
    // Idle sockets that never send a request hold descriptors too: they count.
    const holders = await Promise.all([1, 2].map(() => rawSocket(port)));
    await eventually(() => listener.stats!().connections === 3, 'three sockets held');
    const refused = await Promise.all([1, 2, 3, 4].map(() => rawSocket(port, upgrade('/msc'))));
    expect(await Promise.all(refused.map(({ closed }) => closed))).toEqual(['', '', '', '']);
    expect(listener.stats!()).toEqual({ connections: 3, refused: 4, maxConnections: 3 });
    // The logger heard each refusal, with the limit and where it came from.
    await eventually(() => logger.events.length === 4, 'four events');
    for (const event of logger.events) {
      expect(event).toMatchObject({
        event: 'connection-refused',
        transport: 'ws',
        limit: 'maxConnections',
        value: 3,
      });
      expect(event.remoteAddress).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    }
    expect(await bystander('during')).toBe('during');

    for (const { socket } of holders) socket.destroy();
    await eventually(() => listener.stats!().connections === 1, 'the held sockets released');
    expect(await (await echoClient(listener.address))('after')).toBe('after');
  });

  it('on an attached http.Server: upgrades past the limit get HTTP 503 and are counted; plain requests still work', async () => {
    const server: Server = createServer((_request, response) => response.end('plain http'));
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    cleanups.push(() => server.closeAllConnections());
    const port = (server.address() as AddressInfo).port;
    const logger = recordingLogger();
    const listener = await echoListener({ server, maxConnections: 2, logger }, '/msc');
    const bystander = await echoClient(listener.address);
    const second = await echoClient(listener.address);
    expect(listener.stats!()).toEqual({ connections: 2, refused: 0, maxConnections: 2 });

    const refused = await rawSocket(port, upgrade('/msc'));
    const refusedPort = refused.socket.localPort;
    expect((await refused.closed).split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
    expect(listener.stats!().refused).toBe(1);
    expect(logger.events).toEqual([
      {
        event: 'connection-refused',
        transport: 'ws',
        limit: 'maxConnections',
        value: 2,
        remoteAddress: `ws://127.0.0.1:${refusedPort}`,
      },
    ]);
    const plain = await rawSocket(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await plain.closed).toContain('plain http');
    expect(await bystander('during')).toBe('during');
    expect(await second('second')).toBe('second');

    await second.connection.close();
    await eventually(() => listener.stats!().connections === 1, 'the closed session released');
    expect(await (await echoClient(listener.address))('after')).toBe('after');
    expect(listener.stats!()).toEqual({ connections: 2, refused: 1, maxConnections: 2 });
  });

  it('rejects a maxConnections that is not a whole number of 1 or more', () => {
    for (const maxConnections of [0, -1, 1.5, Number.NaN]) {
      expect(() => ws({ maxConnections })).toThrow(RangeError);
    }
  });
});
