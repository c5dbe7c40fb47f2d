import { type Proxy, proxy } from '@msc/eventual';
import { memory, memoryPair } from '@msc/transport-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { enableResumption, Scope, Session, unauthenticated } from '../src/index.ts';
import { installResumption } from '../src/resume/resume-part.ts';
import { Greeter, type IGreeter } from './fixtures/greeter.ts';

// The browser entry leaves resumption out (resume/resume-part.ts); a program that asks for it
// without `enableResumption()` must be told that at once, and one that never asks must not notice.

afterEach(() => {
  enableResumption(); // the package's own entry enables it; every other test file expects it
});

describe('a session started without enableResumption()', () => {
  test('the resume option throws a TypeError naming enableResumption(), before anything is sent', () => {
    installResumption(undefined);
    const [dialerConnection, listenerConnection] = memoryPair();
    const sent: Uint8Array[] = [];
    listenerConnection.start({ frame: (frame) => sent.push(frame), closed: () => {} });
    expect(
      () =>
        new Session({
          connection: dialerConnection,
          role: 'dialer',
          authenticator: unauthenticated(),
          resume: {},
        }),
    ).toThrow(/resumption not enabled in this program: call enableResumption\(\) from '@msc\/session'/);
    expect(sent).toEqual([]);
    dialerConnection.abort(new Error('test over'));
    listenerConnection.abort(new Error('test over'));
  });

  test('a scope with the resume option throws the same TypeError when it is made', () => {
    installResumption(undefined);
    expect(
      () => new Scope({ transport: memory(), authenticator: unauthenticated(), resume: { graceMs: 1_000 } }),
    ).toThrow(
      /cannot start a scope with the resume option: .*call enableResumption\(\) from '@msc\/session'/,
    );
  });

  test('sessions without the resume option never ask for it: they establish and call as always', async () => {
    installResumption(undefined);
    const [dialerConnection, listenerConnection] = memoryPair();
    const authenticator = unauthenticated();
    const dialer = new Session({ connection: dialerConnection, role: 'dialer', authenticator });
    const listener = new Session({
      connection: listenerConnection,
      role: 'listener',
      authenticator,
      root: proxy<IGreeter>(new Greeter()) as Proxy<unknown>,
    });
    const remote = dialer.remoteRoot<IGreeter>();
    expect(await remote.greet('world')).toBe('hello world');
    expect(dialer.resumption).toBeUndefined();
    remote[Symbol.dispose]();
    await dialer.terminate();
    await listener.closed;
  });

  test('once enableResumption() ran, the same options make a resumable session', async () => {
    installResumption(undefined);
    enableResumption();
    const [dialerConnection, listenerConnection] = memoryPair();
    const session = new Session({
      connection: dialerConnection,
      role: 'dialer',
      authenticator: unauthenticated(),
      resume: {},
    });
    expect(session.resumption).toMatchObject({ state: 'connecting', resumes: 0 });
    await session.terminate();
    listenerConnection.abort(new Error('test over'));
  });
});
