import { type AddressInfo, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenError } from '../src/index.ts';
import { listenServer, socketListenFailure } from '../src/kit/index.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers
      .splice(0)
      .map(
        (server) => new Promise((resolve) => (server.listening ? server.close(resolve) : resolve(undefined))),
      ),
  );
});

function server(): Server {
  const created = createServer();
  servers.push(created);
  return created;
}

describe('socketListenFailure', () => {
  it('EADDRINUSE becomes address-in-use, the cause kept', () => {
    const cause = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:7000'), {
      code: 'EADDRINUSE',
    });
    const error = socketListenFailure('tcp:127.0.0.1:7000', cause);
    expect(error).toBeInstanceOf(ListenError);
    expect(error).toMatchObject({ code: 'address-in-use', address: 'tcp:127.0.0.1:7000', cause });
    expect(error.message).toMatch(/^expected to listen on tcp:127\.0\.0\.1:7000, but .*EADDRINUSE/);
  });

  it('anything else is failed, and the caller may say what was expected', () => {
    const error = socketListenFailure(
      'ws://127.0.0.1:7000/',
      new TypeError('bad'),
      'the given http server to start listening',
    );
    expect(error).toMatchObject({ code: 'failed' });
    expect(error.message).toBe('expected the given http server to start listening, but TypeError: bad');
  });
});

describe('listenServer', () => {
  it('resolves once the server listens, and keeps no error listener of its own', async () => {
    const listening = server();
    await listenServer(listening, 'tcp:127.0.0.1:0', '127.0.0.1', 0);
    expect(listening.listening).toBe(true);
    expect(listening.listenerCount('error')).toBe(0);
  });

  it('a port already taken rejects with address-in-use, and keeps no error listener of its own', async () => {
    const taken = server();
    await listenServer(taken, 'tcp:127.0.0.1:0', '127.0.0.1', 0);
    const port = (taken.address() as AddressInfo).port;
    const second = server();
    const failure = await listenServer(second, `tcp:127.0.0.1:${port}`, '127.0.0.1', port).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({
      name: 'ListenError',
      code: 'address-in-use',
      address: `tcp:127.0.0.1:${port}`,
    });
    expect(second.listenerCount('error')).toBe(0);
  });
});
