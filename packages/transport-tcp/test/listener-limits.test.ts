import { connect, type Socket } from 'node:net';
import type { Connection, Listener, LogEvent, Logger } from '@msc/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { tcp } from '../src/index.ts';
import { sleep } from './fixtures/eventually.ts';
import { testTls } from './fixtures/tls-fixture.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A listener whose connections echo every frame. */
async function echoListener(options: Parameters<typeof tcp>[0]): Promise<Listener> {
  const accepted: Connection[] = [];
  const listener = await tcp(options).listen('tcp:127.0.0.1:0', (connection) => {
    accepted.push(connection);
    connection.start({ frame: (frame) => connection.send(frame), closed: () => {} });
  });
  cleanups.push(async () => {
    for (const connection of accepted) connection.abort();
    await listener.close();
  });
  return listener;
}

/** Starts `connection` and returns a function that sends a frame and waits for its echo. */
function echoes(connection: Connection): (text: string) => Promise<string> {
  const waiting: ((text: string) => void)[] = [];
  connection.start({
    frame: (frame) => waiting.shift()?.(new TextDecoder().decode(frame)),
    closed: () => {},
  });
  return (text) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('expected an echo within 5 s')), 5_000);
      waiting.push((echoed) => {
        clearTimeout(timer);
        resolve(echoed);
      });
      connection.send(new TextEncoder().encode(text));
    });
}

/** A raw socket to `port` (no frames, no TLS): it holds one of the listener's sockets while open. */
function rawSocket(port: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    cleanups.push(() => socket.destroy());
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
    });
    socket.on('error', () => {});
    const closed = new Promise<number>((settle) => socket.once('close', () => settle(received)));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within 5 s`);
    await sleep(5);
  }
}

describe('the listener logger', () => {
  /** A logger that keeps what it is told. */
  function recordingLogger(): Logger & {
    readonly entries: { level: string; event: LogEvent; message: string }[];
  } {
    const entries: { level: string; event: LogEvent; message: string }[] = [];
    return {
      entries,
      info: (event, message) => void entries.push({ level: 'info', event, message }),
      warn: (event, message) => void entries.push({ level: 'warn', event, message }),
    };
  }

  it('hears each connection refused at maxConnections, with the remote address and the limit', async () => {
    const logger = recordingLogger();
    const listener = await echoListener({ maxConnections: 1, logger });
    const port = Number(listener.address.split(':').at(-1));
    await rawSocket(port);
    await eventually(() => listener.stats!().connections === 1, 'one socket held');
    const refused = await Promise.all([1, 2].map(() => rawSocket(port)));
    const ports = refused.map(({ socket }) => `tcp:127.0.0.1:${socket.localPort}`);
    await Promise.all(refused.map(({ closed }) => closed));
    await eventually(() => logger.entries.length === 2, 'two events');
    for (const entry of logger.entries) {
      expect(entry).toMatchObject({
        level: 'warn',
        event: { event: 'connection-refused', transport: 'tcp', limit: 'maxConnections', value: 1 },
      });
      expect(entry.message).toBe(
        `connection-refused: tcp ${entry.event.remoteAddress}: the listener holds 1 connections (maxConnections)`,
      );
    }
    expect(logger.entries.map((entry) => entry.event.remoteAddress).sort()).toEqual(ports.sort());
  });

  it('hears a client whose TLS handshake fails, and a logger that throws breaks nothing', async () => {
    const logger = recordingLogger();
    const listener = await echoListener({ tls: testTls, logger });
    const port = Number(listener.address.split(':').at(-1));
    const { socket, closed } = await rawSocket(port);
    const remoteAddress = `tcp:127.0.0.1:${socket.localPort}`;
    socket.write('GET / HTTP/1.1\r\n\r\n'); // not a TLS client hello
    await closed;
    await eventually(() => logger.entries.length === 1, 'one event');
    expect(logger.entries[0]).toMatchObject({
      level: 'warn',
      event: {
        event: 'handshake-failed',
        transport: 'tcp',
        step: 'tls',
        remoteAddress,
      },
    });
    expect(logger.entries[0]!.message).toMatch(/^handshake-failed: tcp tcp:127\.0\.0\.1:\d+: TLS: /);

    const throwing: Logger = {
      info() {
        throw new Error('log disk full');
      },
      warn() {
        throw new Error('log disk full');
      },
    };
    const sturdy = await echoListener({ tls: testTls, logger: throwing, maxConnections: 2 });
    const sturdyPort = Number(sturdy.address.split(':').at(-1));
    const bad = await rawSocket(sturdyPort);
    bad.socket.write('not TLS\r\n');
    await bad.closed;
    const connection = await tcp({ tls: testTls }).dial(sturdy.address);
    cleanups.push(() => connection.abort());
    expect(await echoes(connection)('still here')).toBe('still here');
  });
});

describe('maxConnections per listener', () => {
  it.each([
    ['plain', {}],
    ['TLS', { tls: testTls }],
  ] as const)(
    '%s: connections past the limit are closed on arrival and counted; the limit frees up as connections close',
    async (_kind, extra) => {
      const listener = await echoListener({ ...extra, maxConnections: 4 });
      const port = Number(listener.address.split(':').at(-1));
      const transport = tcp(extra);
      const bystander = await transport.dial(listener.address);
      cleanups.push(() => bystander.abort());
      const roundTrip = echoes(bystander);
      expect(await roundTrip('before')).toBe('before');

      const holders = await Promise.all([1, 2, 3].map(() => rawSocket(port)));
      await eventually(() => listener.stats!().connections === 4, 'four sockets held');
      const started = Date.now();
      const refused = await Promise.all([1, 2, 3, 4, 5].map(() => rawSocket(port)));
      // Closed by the listener at once, having sent nothing (not even a TLS hello).
      expect(await Promise.all(refused.map(({ closed }) => closed))).toEqual([0, 0, 0, 0, 0]);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(listener.stats!()).toEqual({ connections: 4, refused: 5, maxConnections: 4 });
      expect(await roundTrip('during')).toBe('during');

      // A reset frees a socket at once; a half-close would hold a TLS socket until its handshake times out.
      for (const { socket } of holders) socket.resetAndDestroy();
      await eventually(() => listener.stats!().connections === 1, 'the held sockets released');
      const later = await transport.dial(listener.address);
      cleanups.push(() => later.abort());
      expect(await echoes(later)('after')).toBe('after');
      expect(listener.stats!().refused).toBe(5);
    },
  );

  it('rejects a maxConnections that is not a whole number of 1 or more', () => {
    for (const maxConnections of [0, -1, 1.5, Number.NaN]) {
      expect(() => tcp({ maxConnections })).toThrow(RangeError);
    }
  });
});
