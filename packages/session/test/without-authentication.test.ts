import { proxy } from '@msc/eventual';
import { memory, memoryPair } from '@msc/transport-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { installAuthentication } from '../src/authentication-part.ts';
import {
  type Authenticator,
  enableAuthentication,
  Scope,
  Session,
  SessionError,
  unauthenticated,
} from '../src/index.ts';
import { Greeter, type IGreeter } from './fixtures/greeter.ts';
import { sessionPair } from './harness.ts';

// The browser entry leaves the authentication exchange out (authentication-part.ts): a page that
// uses `unauthenticated()` exchanges nothing and must not notice; one that brings another
// authenticator must be told to call `enableAuthentication()` when it makes its scope or session.

afterEach(() => {
  enableAuthentication(); // the package's own entry enables it; every other test file expects it
});

/** An authenticator of a scheme of its own, whose peer is a name. */
const named: Authenticator<string> = {
  scheme: 'test-named',
  async authenticate(context) {
    context.send(new TextEncoder().encode(context.role));
    return new TextDecoder().decode(await context.receive());
  },
};

describe('a program without enableAuthentication()', () => {
  test('a scope of unauthenticated() sessions dials, calls and ends as always', async () => {
    installAuthentication(undefined);
    const transport = memory();
    await using server = new Scope({
      transport,
      authenticator: unauthenticated(),
      root: proxy<IGreeter>(new Greeter()),
    });
    await server.listen('memory:without-authentication');
    await using client = new Scope({ transport, authenticator: unauthenticated() });
    const session = await client.session('memory:without-authentication');
    expect(session.peer).toBeUndefined();
    const greeter = session.remoteRoot<IGreeter>();
    expect(await greeter.greet('page')).toBe('hello page');
    greeter[Symbol.dispose]();
  });

  test('an unauthenticated() session without the exchange agrees with one that runs it', async () => {
    // The listener is made with the exchange installed (it runs unauthenticated() as any
    // authenticator), the dialer without: the hellos agree on `none` and nothing crosses.
    const [dialerConnection, listenerConnection] = memoryPair();
    const listener = new Session({
      connection: listenerConnection,
      role: 'listener',
      authenticator: unauthenticated(),
      root: proxy<IGreeter>(new Greeter()),
    });
    installAuthentication(undefined);
    const dialer = new Session({
      connection: dialerConnection,
      role: 'dialer',
      authenticator: unauthenticated(),
    });
    await Promise.all([dialer.established, listener.established]);
    expect([dialer.peer, listener.peer]).toEqual([undefined, undefined]);
    const greeter = dialer.remoteRoot<IGreeter>();
    expect(await greeter.greet('mixed')).toBe('hello mixed');
    greeter[Symbol.dispose]();
    await dialer.terminate();
    await listener.closed;
  });

  test('a Scope or Session with another authenticator throws a TypeError naming enableAuthentication()', () => {
    installAuthentication(undefined);
    const expected =
      /the 'test-named' authenticator cannot run: authentication not enabled in this program: call enableAuthentication\(\) from '@msc\/session'/;
    expect(() => new Scope({ transport: memory(), authenticator: named })).toThrow(TypeError);
    expect(() => new Scope({ transport: memory(), authenticator: named })).toThrow(expected);
    expect(() => sessionPair({ authenticator: named, unchecked: true })).toThrow(expected);
  });

  test('a peer that sends Authenticate to an unauthenticated() session without the exchange breaks the protocol', async () => {
    // A listener on the scheme `none` that sends an authentication message anyway, made while the
    // exchange is installed; the dialer, made without it, has no authentication step to give it to.
    const chatty: Authenticator<undefined> = {
      scheme: 'none',
      async authenticate(context) {
        context.send(new Uint8Array([1, 2, 3]));
        return undefined;
      },
    };
    const [dialerConnection, listenerConnection] = memoryPair();
    const listener = new Session({ connection: listenerConnection, role: 'listener', authenticator: chatty });
    installAuthentication(undefined);
    const dialer = new Session({
      connection: dialerConnection,
      role: 'dialer',
      authenticator: unauthenticated(),
    });
    const error = await dialer.established.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ code: 'protocol' });
    expect((error as Error).message).toMatch(/an authentication message outside the authentication step/);
    await listener.closed;
  });
});

describe('a program with enableAuthentication()', () => {
  test('another authenticator runs its exchange, and the peer is what it learned', async () => {
    installAuthentication(undefined);
    enableAuthentication();
    const pair = sessionPair({ authenticator: named });
    await Promise.all([pair.dialer.established, pair.listener.established]);
    expect([pair.dialer.peer, pair.listener.peer]).toEqual(['listener', 'dialer']);
  });
});
