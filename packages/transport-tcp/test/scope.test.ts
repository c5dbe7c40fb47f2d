import { type Proxy, proxy } from '@msc/eventual';
import { Scope, unauthenticated } from '@msc/session';
import { afterEach, describe, expect, it } from 'vitest';
import { tcp } from '../src/index.ts';
import { Desk, type IDesk, type IListener } from './fixtures/counter.ts';
import { deskClient, deskServer } from './fixtures/desk-scopes.ts';
import { sleep } from './fixtures/eventually.ts';
import { rawClient, wireFrame } from './fixtures/raw-peer.ts';
import { testTls } from './fixtures/tls-fixture.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Desk server on 127.0.0.1 over `transport` (fixtures/desk-scopes.ts), with its port. */
async function deskServerOnLoopback(transport: ReturnType<typeof tcp>, handshakeTimeoutMs = 10_000) {
  const server = await deskServer(transport, 'tcp:127.0.0.1:0', cleanups, handshakeTimeoutMs);
  return { ...server, port: Number(server.address.split(':').at(-1)) };
}

class Listener implements IListener {
  async notify(value: number) {
    return `heard ${value}`;
  }
}

describe('a Scope over tcp()', () => {
  it('a connect that is refused aborts the root with the address named once', async () => {
    const probe = new Scope({ transport: tcp(), authenticator: unauthenticated() });
    cleanups.push(() => probe.close());
    const listener = await probe.listen('tcp:127.0.0.1:0');
    const address = listener.address;
    await listener.close();
    const client = new Scope({ transport: tcp(), authenticator: unauthenticated() });
    cleanups.push(() => client.close());
    const desk = client.connect<IDesk>(address);
    const error = (await desk.whenResolved().catch((caught: unknown) => caught)) as Error;
    expect(error.name).toBe('AbortedError');
    expect(error.message).toBe(
      `expected to connect to ${address}, but nothing accepts connections there (ECONNREFUSED)`,
    );
    expect((error.cause as Error).name).toBe('DialError');
    desk[Symbol.dispose]();
  });

  for (const [name, transport] of [
    ['plain TCP', tcp()],
    ['TLS', tcp({ tls: testTls })],
  ] as const) {
    it(`makes pipelined calls and passes capabilities both ways (${name})`, async () => {
      const { address } = await deskServerOnLoopback(transport);
      const desk = deskClient(transport, address, cleanups);
      const counter = desk.getCounter(); // pipelined: no await before using it
      const results = [counter.inc(), counter.inc(2), counter.inc(3)];
      expect(await Promise.all(results)).toEqual([1, 3, 6]);
      const listener = proxy<IListener>(new Listener());
      expect(await desk.callBack(listener, 21)).toBe('heard 42');
      expect(await desk.echo('x'.repeat(100_000))).toHaveLength(100_000);
      listener[Symbol.dispose]();
      counter[Symbol.dispose]();
      desk[Symbol.dispose]();
    });
  }

  it('a client that sends garbage costs the server only that connection', async () => {
    const { sessions, address, port } = await deskServerOnLoopback(tcp());
    const desk: Proxy<IDesk> = deskClient(tcp(), address, cleanups);
    expect(await desk.echo('before')).toBe('before');

    const oversized = await rawClient(port); // a length prefix far over the limit
    oversized.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const framedGarbage = await rawClient(port); // well framed, but not the session protocol
    framedGarbage.socket.write(wireFrame(new Uint8Array(64).fill(0xff)));
    cleanups.push(() => oversized.socket.destroy());
    cleanups.push(() => framedGarbage.socket.destroy());
    await Promise.all([oversized.ended, framedGarbage.ended]);

    expect(await desk.echo('after')).toBe('after');
    const counter = desk.getCounter();
    expect(await counter.inc(5)).toBe(5);
    expect(sessions.length).toBe(3);
    expect(sessions.filter((session) => session.isTerminated).length).toBe(2);
    counter[Symbol.dispose]();
    desk[Symbol.dispose]();
  });

  it('a client that connects and sends nothing is closed by the handshake timeout, others keep working', async () => {
    const { sessions, address, port } = await deskServerOnLoopback(tcp(), 300);
    const stalled = await rawClient(port);
    cleanups.push(() => stalled.socket.destroy());
    const started = Date.now();
    const desk = deskClient(tcp(), address, cleanups);
    expect(await desk.echo('meanwhile')).toBe('meanwhile');
    await stalled.ended;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const stalledSession = sessions[0]!;
    const reason = await stalledSession.closed;
    expect(reason).toMatchObject({ code: 'timeout' });
    await sleep(50);
    expect(await desk.echo('still here')).toBe('still here');
    desk[Symbol.dispose]();
  });
});

describe('maxPendingSessions of a Scope listener', () => {
  it('connections past the pending limit are aborted on arrival and counted; the bystander keeps working; places free up', async () => {
    const root = proxy<IDesk>(new Desk());
    const server = new Scope({
      transport: tcp(),
      authenticator: unauthenticated(),
      root,
      maxPendingSessions: 3,
    });
    root[Symbol.dispose]();
    cleanups.push(() => server.close());
    const listener = await server.listen('tcp:127.0.0.1:0');
    const port = Number(listener.address.split(':').at(-1));
    const bystander = deskClient(tcp(), listener.address, cleanups);
    expect(await bystander.echo('before')).toBe('before');

    // Raw sockets that never say hello: each holds a session in its handshake.
    const stalled = await Promise.all([1, 2, 3].map(() => rawClient(port)));
    for (const peer of stalled) cleanups.push(() => peer.socket.destroy());
    for (let attempt = 0; attempt < 500 && server.stats().pending < 3; attempt++) await sleep(5);
    expect(server.stats()).toMatchObject({ pending: 3, refused: 0 });
    const started = Date.now();
    const refused = await Promise.all([1, 2].map(() => rawClient(port)));
    await Promise.all(refused.map((peer) => peer.ended)); // closed by the server at once
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.stats()).toMatchObject({ pending: 3, refused: 2 });
    expect(await bystander.echo('during')).toBe('during');

    for (const peer of stalled) peer.socket.destroy();
    for (let attempt = 0; attempt < 500 && server.stats().pending > 0; attempt++) await sleep(5);
    expect(server.stats().pending).toBe(0);
    const later = deskClient(tcp(), listener.address, cleanups);
    expect(await later.echo('after')).toBe('after');
    expect(server.stats()).toMatchObject({ sessions: 2, pending: 0, refused: 2 });
  });

  it('rejects a maxPendingSessions that is not a whole number of 1 or more', () => {
    expect(
      () => new Scope({ transport: tcp(), authenticator: unauthenticated(), maxPendingSessions: 0 }),
    ).toThrow(RangeError);
  });
});
