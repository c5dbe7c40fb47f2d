import { createServer } from 'node:net';
import { DialError, ListenError } from '@msc/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { type TcpConnection, tcp } from '../src/index.ts';
import { ipv6LoopbackWorks } from './fixtures/ipv6.ts';

const ipv6 = await ipv6LoopbackWorks();
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP server that accepts and then says nothing (it reads, so it notices when the client goes away). */
async function silentServer(): Promise<number> {
  const server = createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

describe('tcp addresses', () => {
  it.each([
    'memory:lobby',
    'tcp:',
    'tcp:127.0.0.1',
    'tcp:127.0.0.1:',
    'tcp:127.0.0.1:http',
    'tcp:127.0.0.1:70000',
    'tcp:127.0.0.1:0',
    'tcp:::1:7000',
    'tcp:[::1]7000',
    'tcp:[not-ipv6]:7000',
    'tcp:bad host:7000',
    'ws://127.0.0.1:7000/',
  ])('dialing "%s" rejects with DialError "bad-address"', async (address) => {
    const error = await tcp()
      .dial(address)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DialError);
    expect(error).toMatchObject({ name: 'DialError', code: 'bad-address', address });
    expect((error as Error).message).toContain(address);
  });

  it.each([
    ['http://127.0.0.1:7000', true],
    ['https://example.com/lobby', true],
    ['ws://127.0.0.1:7000/', true],
    ['WSS://example.com', true],
    ['udp:127.0.0.1:7000', false],
    ['memory:lobby', false],
  ])('"%s" is an unsupported scheme, not an IPv6 problem', async (address, suggestsWs) => {
    const error = (await tcp()
      .dial(address)
      .catch((caught: unknown) => caught)) as DialError;
    expect(error).toMatchObject({ name: 'DialError', code: 'bad-address', address });
    const scheme = address.slice(0, address.indexOf(':') + 1);
    expect(error.message).toContain(`tcp() does not support the scheme "${scheme}"`);
    expect(error.message).toContain('"tcp:host:port", "tcp:[ipv6]:port" or "host:port"');
    expect(error.message).not.toMatch(/IPv6|bracket/);
    if (suggestsWs) expect(error.message).toContain('use ws() from @msc/transport-ws');
    else expect(error.message).not.toContain('ws()');
    await expect(tcp().listen(address, () => {})).rejects.toThrow(`does not support the scheme "${scheme}"`);
  });

  it.each(['tcp:::1:7000', '::1:7000', 'fe80::1:7000', 'localhost:7x'])(
    '"%s" is not mistaken for a scheme',
    async (address) => {
      const error = (await tcp()
        .dial(address)
        .catch((caught: unknown) => caught)) as DialError;
      expect(error).toMatchObject({ code: 'bad-address' });
      expect(error.message).not.toContain('scheme');
    },
  );

  it('a refused dial names the address once and says why in words', async () => {
    // A port that was free a moment ago: close a server and dial its port.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const freePort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const address = `tcp:127.0.0.1:${freePort}`;
    const error = (await tcp()
      .dial(address)
      .catch((caught: unknown) => caught)) as DialError;
    expect(error).toMatchObject({ name: 'DialError', code: 'refused', address });
    expect(error.message).toBe(
      `expected to connect to ${address}, but nothing accepts connections there (ECONNREFUSED)`,
    );
    expect(error.message.split(`127.0.0.1:${freePort}`)).toHaveLength(2);
  });

  it.each(['tcp:127.0.0.1', 'tcp:[::1]', 'tcp:host:-1', 'memory:', 'tcp:[::1]:99999'])(
    'listening on "%s" rejects with ListenError "bad-address"',
    async (address) => {
      await expect(tcp().listen(address, () => {})).rejects.toMatchObject({
        name: 'ListenError',
        code: 'bad-address',
      });
    },
  );

  it('listening on port 0 gives the real port in listener.address, which dial() accepts as is', async () => {
    const accepted: TcpConnection[] = [];
    const listener = await tcp().listen('tcp:127.0.0.1:0', (connection) => accepted.push(connection));
    cleanups.push(() => listener.close());
    expect(listener.address).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
    expect(listener.address).not.toBe('tcp:127.0.0.1:0');
    const connection = await tcp().dial(listener.address);
    cleanups.push(() => connection.abort());
    expect(connection.remoteAddress).toBe(listener.address);
    expect(connection.localAddress).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
    expect(connection.encrypted).toBe(false);
    // An address without the scheme is accepted too.
    const bare = await tcp().dial(listener.address.slice('tcp:'.length));
    cleanups.push(() => bare.abort());
  });

  it('listening where something already listens rejects with ListenError "address-in-use"', async () => {
    const listener = await tcp().listen('tcp:127.0.0.1:0', () => {});
    cleanups.push(() => listener.close());
    const error = await tcp()
      .listen(listener.address, () => {})
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ListenError);
    expect(error).toMatchObject({ code: 'address-in-use' });
  });

  it('a dial that does not finish in time rejects with DialError "timeout"', async () => {
    // A plain TCP server that never speaks TLS: the TLS handshake of the dial never completes.
    const port = await silentServer();
    const started = Date.now();
    const error = await tcp({ tls: {} })
      .dial(`tcp:127.0.0.1:${port}`, { timeoutMs: 200 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'DialError', code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('aborting a dial in progress rejects it with DialError "aborted"', async () => {
    const port = await silentServer();
    const controller = new AbortController();
    const dialing = tcp({ tls: {} }).dial(`tcp:127.0.0.1:${port}`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('changed my mind')), 20);
    await expect(dialing).rejects.toMatchObject({ name: 'DialError', code: 'aborted' });
  });

  it.skipIf(!ipv6)(
    'IPv6 loopback: listen on tcp:[::1]:0 and dial it (skipped where IPv6 is off)',
    async () => {
      const listener = await tcp().listen('tcp:[::1]:0', (connection) => {
        connection.start({ frame: (frame) => connection.send(frame), closed: () => {} });
      });
      cleanups.push(() => listener.close());
      expect(listener.address).toMatch(/^tcp:\[::1\]:\d+$/);
      const connection = await tcp().dial(listener.address);
      cleanups.push(() => connection.abort());
      expect(connection.remoteAddress).toBe(listener.address);
      const echoed = new Promise<Uint8Array>((resolve) =>
        connection.start({ frame: resolve, closed: () => {} }),
      );
      connection.send(Uint8Array.of(1, 2, 3));
      expect(Array.from(await echoed)).toEqual([1, 2, 3]);
    },
  );
});
