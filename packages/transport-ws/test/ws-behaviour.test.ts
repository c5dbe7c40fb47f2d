import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DialError, type LogEvent } from '@msc/transport';
import { FrameRecorder } from '@msc/transport/compliance';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { eventually, sleep } from '../../transport-tcp/test/fixtures/eventually.ts';
import { recordingListener } from '../../transport-tcp/test/fixtures/recording-listener.ts';
import { ws } from '../src/index.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Listens with `options` on a port of its own, starting a recorder on every accepted connection. */
async function listening(options: Parameters<typeof ws>[0] = {}, address = 'ws://127.0.0.1:0/msc') {
  const { accepted, listener, close } = await recordingListener(ws(options), address);
  cleanups.push(close);
  return { accepted, listener };
}

/** A raw `ws` client (no MSC on top), closed after the test. */
async function rawClient(address: string, options: ConstructorParameters<typeof WebSocket>[2] = {}) {
  const client = new WebSocket(address, options);
  client.on('error', () => {});
  cleanups.push(() => client.terminate());
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  const closed = new Promise<{ status: number; reason: string }>((resolve) =>
    client.once('close', (status, reason) => resolve({ status, reason: reason.toString() })),
  );
  return { client, closed };
}

async function httpServer(): Promise<Server> {
  const server = createServer((_request, response) => response.end('plain http'));
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  cleanups.push(() => server.closeAllConnections());
  return server;
}

describe('ws addresses and listeners', () => {
  it.each([
    'tcp:127.0.0.1:80',
    'ws://',
    'http://127.0.0.1:80/',
    'ws://user:pass@127.0.0.1:80/',
    'ws://127.0.0.1:0/',
    'ws://127.0.0.1:99999/',
  ])('dialing "%s" rejects with DialError "bad-address"', async (address) => {
    const error = await ws()
      .dial(address)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DialError);
    expect(error).toMatchObject({ code: 'bad-address', address });
  });

  it('listening on port 0 gives the real port and the path in listener.address', async () => {
    const { listener } = await listening({}, 'ws://127.0.0.1:0/game/lobby');
    expect(listener.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/game\/lobby$/);
    const connection = await ws().dial(listener.address);
    cleanups.push(() => connection.abort());
    expect(connection.remoteAddress).toBe(listener.address);
  });

  it('listens on an existing http.Server under a path, leaving its plain HTTP alone; other paths get 404', async () => {
    const server = await httpServer();
    const port = (server.address() as AddressInfo).port;
    const { listener, accepted } = await listening({ server }, '/msc');
    expect(listener.address).toBe(`ws://127.0.0.1:${port}/msc`);
    const connection = await ws().dial(listener.address);
    cleanups.push(() => connection.abort());
    connection.send(Uint8Array.of(1, 2));
    await eventually(() => accepted[0]?.frames.frames.length === 1, 'the frame');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('plain http');
    await expect(ws().dial(`ws://127.0.0.1:${port}/elsewhere`)).rejects.toMatchObject({ code: 'refused' });
    await listener.close();
    expect(server.listening).toBe(true); // closing the listener leaves the server running
  });

  it('listens on an http.Server still starting (listen() called on the line before): it waits until it listens', async () => {
    const server = createServer((_request, response) => response.end('plain http')).listen(0, '127.0.0.1');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    cleanups.push(() => server.closeAllConnections());
    expect(server.listening).toBe(false);
    const { listener, accepted } = await listening({ server }, '/msc');
    expect(listener.address).toBe(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/msc`);
    const connection = await ws().dial(listener.address);
    cleanups.push(() => connection.abort());
    connection.send(Uint8Array.of(7));
    await eventually(() => accepted[0]?.frames.frames.length === 1, 'the frame');
  });

  it('an http.Server that fails to start rejects listen() with address-in-use, naming the cause', async () => {
    const taken = await httpServer();
    const server = createServer().listen((taken.address() as AddressInfo).port, '127.0.0.1');
    const failure = await ws({ server })
      .listen('/msc', () => {})
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'ListenError', code: 'address-in-use' });
    expect(String((failure as Error).message)).toMatch(
      /expected the given http server to start listening, but/,
    );
    expect(server.listenerCount('error')).toBe(0); // nothing of ours stays on the user's server
    expect(server.listening).toBe(false);
  });

  it('waiting for an http.Server that never listens ends with the signal (ListenError aborted)', async () => {
    const server = createServer();
    const before = ['listening', 'error', 'close'].map((name) => server.listenerCount(name));
    const controller = new AbortController();
    const pending = ws({ server }).listen('/msc', () => {}, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'ListenError', code: 'aborted' });
    expect(['listening', 'error', 'close'].map((name) => server.listenerCount(name))).toEqual(before);
  });

  it('an origin allow-list refuses browsers from other origins, and accepts the listed one', async () => {
    const events: { event: LogEvent; message: string }[] = [];
    const logger = {
      info: () => {},
      warn: (event: LogEvent, message: string) => void events.push({ event, message }),
    };
    const { listener } = await listening({ allowedOrigins: ['http://good.test'], logger });
    const refused = new WebSocket(listener.address, { origin: 'http://evil.test' });
    const status = await new Promise<number>((resolve) => {
      refused.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      refused.on('error', () => resolve(-1));
    });
    expect(status).toBe(403);
    await eventually(() => events.length === 1, 'the refusal logged');
    expect(events[0]!.event).toMatchObject({
      event: 'connection-refused',
      transport: 'ws',
      reason: 'origin',
      origin: 'http://evil.test',
      remoteAddress: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(events[0]!.message).toMatch(/origin "http:\/\/evil\.test" is not in allowedOrigins \(HTTP 403\)$/);
    const good = await rawClient(listener.address, { origin: 'http://good.test' });
    expect(good.client.readyState).toBe(WebSocket.OPEN);
    const noOrigin = await rawClient(listener.address); // not a browser: no Origin header
    expect(noOrigin.client.readyState).toBe(WebSocket.OPEN);
  });

  it('an origin predicate is asked at each upgrade: the set may change while listening, and a throw refuses', async () => {
    const accepted = new Set<string>();
    const { listener } = await listening({
      allowedOrigins: (origin) => {
        if (origin === 'http://boom.test') throw new Error('a broken predicate');
        return accepted.has(origin);
      },
    });
    const statusOf = (origin: string) =>
      new Promise<number>((resolve) => {
        const client = new WebSocket(listener.address, { origin });
        client.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        client.on('open', () => {
          client.close();
          resolve(101);
        });
        client.on('error', () => resolve(-1));
      });
    expect(await statusOf('http://later.test')).toBe(403);
    accepted.add('http://later.test');
    expect(await statusOf('http://later.test')).toBe(101);
    expect(await statusOf('http://boom.test')).toBe(403);
  });
});

describe('ws frames and endings', () => {
  it('a message over maxFrameBytes closes only that connection with code "protocol"', async () => {
    const { listener, accepted } = await listening({ maxFrameBytes: 1024 });
    const bad = await rawClient(listener.address);
    const good = await rawClient(listener.address);
    await eventually(() => accepted.length === 2, 'two connections');
    bad.client.send(new Uint8Array(4096));
    expect((await bad.closed).status).toBe(1009);
    const badSide = accepted.find(({ frames }) => frames.closedReasons.length > 0) ?? accepted[0]!;
    expect(await badSide.frames.untilClosed(5_000)).toMatchObject({ code: 'protocol', remote: true });
    good.client.send(Uint8Array.of(7));
    const goodSide = accepted.find((entry) => entry !== badSide)!;
    await goodSide.frames.untilFrames(1, 5_000);
    expect(goodSide.frames.closedReasons).toEqual([]);
  });

  it('a text message that is not a heartbeat is a protocol violation; "msc:ping" is answered', async () => {
    const { listener, accepted } = await listening();
    const peer = await rawClient(listener.address);
    const texts: string[] = [];
    peer.client.on('message', (data, isBinary) => {
      if (!isBinary) texts.push(data.toString());
    });
    peer.client.send('msc:ping');
    await eventually(() => texts.includes('msc:pong'), 'a pong');
    peer.client.send('hello?');
    expect(await peer.closed).toMatchObject({ status: 4002 });
    expect(await accepted[0]!.frames.untilClosed(5_000)).toMatchObject({ code: 'protocol' });
  });

  it('close() carries its code and message to the peer; abort() reaches it as "aborted"', async () => {
    const { listener, accepted } = await listening();
    const first = await ws().dial(listener.address);
    first.start(new FrameRecorder());
    await eventually(() => accepted.length === 1, 'the connection');
    await first.close({ code: 'timeout', message: 'you were slow' });
    expect(await accepted[0]!.frames.untilClosed(5_000)).toEqual({
      code: 'timeout',
      message: 'you were slow',
      remote: true,
    });
    const second = await ws().dial(listener.address);
    await eventually(() => accepted.length === 2, 'the second connection');
    second.abort(new Error('bye'));
    expect(await accepted[1]!.frames.untilClosed(5_000)).toMatchObject({ code: 'aborted', remote: true });
  });
});

describe('ws dead-peer detection', () => {
  it('a raw peer that stops answering pings is closed with code "timeout"', async () => {
    const { listener, accepted } = await listening({ idleTimeoutMs: 300, heartbeatIntervalMs: 100 });
    let pings = 0;
    const peer = await rawClient(listener.address, { autoPong: false });
    peer.client.on('ping', () => pings++);
    const started = Date.now();
    await eventually(() => accepted.length === 1, 'the connection');
    expect(await accepted[0]!.frames.untilClosed(5_000)).toMatchObject({ code: 'timeout', remote: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(pings).toBeGreaterThanOrEqual(1);
    expect((await peer.closed).status).toBe(1006); // terminated: no close frame to a dead peer
  });

  it('a peer that answers pings keeps a quiet connection open; a dialer notices a silent server', async () => {
    const { listener, accepted } = await listening({ idleTimeoutMs: 400, heartbeatIntervalMs: 100 });
    await rawClient(listener.address); // answers pings (ws default)
    await sleep(1_200); // three idle timeouts
    expect(accepted[0]!.frames.closedReasons).toEqual([]);

    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise((resolve) => silent.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => silent.close(resolve)));
    cleanups.push(() => {
      for (const client of silent.clients) client.terminate();
    });
    const connection = await ws({ idleTimeoutMs: 200 }).dial(
      `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
    );
    const frames = new FrameRecorder();
    connection.start(frames);
    expect(await frames.untilClosed(5_000)).toMatchObject({ code: 'timeout' });
  });
});
