import { AbortedError, type Proxy, proxy } from '@msc/eventual';
import { memory } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import {
  type Authenticator,
  remoteIdentity,
  Scope,
  type SessionError,
  unauthenticated,
} from '../src/index.ts';
import { Calc, type ICalc } from './fixtures.ts';
import { sleep } from './harness.ts';

describe('scopes', () => {
  test('connect returns the remote root at once; calls flow once established', async () => {
    const transport = memory();
    const root = proxy<ICalc>(new Calc(10));
    await using server = new Scope({ transport, authenticator: unauthenticated(), root });
    root[Symbol.dispose]();
    await server.listen('memory:calc');
    await using client = new Scope({ transport, authenticator: unauthenticated() });
    const remote = client.connect<ICalc>('memory:calc');
    expect(await remote.add(1)).toBe(11);
    expect(server.sessions.size).toBe(1);
    expect(client.sessions.size).toBe(1);
    remote[Symbol.dispose]();
  });

  test('connecting to nobody fails the calls made on the root', async () => {
    await using client = new Scope({ transport: memory(), authenticator: unauthenticated() });
    const remote = client.connect<ICalc>('memory:nobody');
    const error = await remote.get().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toMatchObject({ name: 'DialError' });
    await expect(remote.whenResolved()).rejects.toThrow();
  });

  test('closing a scope terminates all its sessions; their peers see why', async () => {
    const transport = memory();
    const server = new Scope({ transport, authenticator: unauthenticated(), root: proxy<ICalc>(new Calc()) });
    await server.listen('memory:many');
    await using client = new Scope({ transport, authenticator: unauthenticated() });
    const remotes = Array.from({ length: 5 }, () => client.connect<ICalc>('memory:many'));
    await Promise.all(remotes.map((remote) => remote.add(1)));
    const pending = remotes.map((remote) => remote.cloneLater(10_000));
    await sleep(5);
    await server.close('maintenance');
    expect(server.sessions.size).toBe(0);
    for (const outcome of await Promise.allSettled(pending)) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as AbortedError;
      expect(reason).toBeInstanceOf(AbortedError);
      expect((reason.cause as SessionError).message).toContain('maintenance');
    }
    for (let attempt = 0; attempt < 50 && client.sessions.size > 0; attempt++) await sleep(2);
    expect(client.sessions.size).toBe(0);
    await expect(server.listen('memory:again')).rejects.toThrow('ended');
  });

  test("aborting a scope's signal ends it", async () => {
    const transport = memory();
    const controller = new AbortController();
    const server = new Scope({
      transport,
      authenticator: unauthenticated(),
      root: proxy<ICalc>(new Calc()),
      signal: controller.signal,
    });
    await server.listen('memory:signal');
    await using client = new Scope({ transport, authenticator: unauthenticated() });
    const remote = client.connect<ICalc>('memory:signal');
    await remote.get();
    controller.abort();
    await expect(remote.cloneLater(10_000)).rejects.toBeInstanceOf(AbortedError);
    expect(server.closed).toBe(true);
  });

  test('await using ends the scope at the end of the block', async () => {
    const transport = memory();
    let session: Scope['sessions'] extends ReadonlySet<infer S> ? S : never;
    {
      await using server = new Scope({
        transport,
        authenticator: unauthenticated(),
        root: proxy<ICalc>(new Calc()),
      });
      await server.listen('memory:block');
      await using client = new Scope({ transport, authenticator: unauthenticated() });
      session = await client.session('memory:block');
    }
    expect(session.isTerminated).toBe(true);
  });

  test('a callee can ask who is on the other side of the session a proxy spans', async () => {
    const transport = memory();
    const who: unknown[] = [];
    interface IDesk {
      visit(visitor: Proxy<ICalc>): Promise<void>;
    }
    class Desk implements IDesk {
      async visit(visitor: Proxy<ICalc>) {
        who.push(remoteIdentity(visitor));
      }
    }
    // A toy scheme: each side states its name (no proof; @msc/identity does it properly).
    const named = (name: string): Authenticator<string> => ({
      scheme: 'names',
      async authenticate(context) {
        context.send(new TextEncoder().encode(name));
        return new TextDecoder().decode(await context.receive());
      },
    });
    await using server = new Scope({
      transport,
      authenticator: named('alice'),
      root: proxy<IDesk>(new Desk()),
    });
    await server.listen('memory:desk');
    await using client = new Scope({ transport, authenticator: named('bob') });
    const desk = client.connect<IDesk>('memory:desk');
    const local = proxy<ICalc>(new Calc());
    await desk.visit(local);
    expect(who).toEqual(['bob']);
    expect(remoteIdentity(desk)).toBe('alice');
    expect(remoteIdentity(local)).toBeUndefined();
    local[Symbol.dispose]();
  });
});
