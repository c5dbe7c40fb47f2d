import { type Proxy, proxy } from '@msc/eventual';
import { messagePortPair } from '@msc/transport-memory';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Session, unauthenticated } from '../src/index.ts';
import { expectDrained } from './fixtures/leak-check.ts';

// Which instances the garbage-collection backstop registers (`FacadeState.watch` in @msc/eventual):
// only those still holding their reference once their turn's microtasks have run. Frames arrive
// here in a port's message events, as from a socket: a `nextTick` queued straight from such a
// callback would run before the microtasks in which the caller disposes what it awaited.

interface ICounter {
  inc(): Promise<number>;
}

interface IRoot {
  counter(): Proxy<ICounter>;
}

class Counter implements ICounter {
  #count = 0;
  async inc(): Promise<number> {
    return ++this.#count;
  }
}

class Root implements IRoot {
  counter(): Proxy<ICounter> {
    return proxy<ICounter>(new Counter());
  }
}

const register = FinalizationRegistry.prototype.register;
let registered = 0;

beforeEach(() => {
  registered = 0;
  FinalizationRegistry.prototype.register = function (this: FinalizationRegistry<unknown>, ...rest) {
    registered++;
    return register.apply(this, rest);
  };
});

afterEach(() => {
  FinalizationRegistry.prototype.register = register;
});

function portSessions(): { dialer: Session; listener: Session; remote: Proxy<IRoot> } {
  const [a, b] = messagePortPair();
  const dialer = new Session({ connection: a, role: 'dialer', authenticator: unauthenticated() });
  const listener = new Session({
    connection: b,
    role: 'listener',
    authenticator: unauthenticated(),
    root: proxy<IRoot>(new Root()) as Proxy<unknown>,
  });
  return { dialer, listener, remote: dialer.remoteRoot<IRoot>() };
}

async function macrotask(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

describe('the garbage-collection backstop over a MessagePort session', () => {
  test('capabilities disposed in the turn their Return arrived in are never registered', async () => {
    const { dialer, listener, remote } = portSessions();
    expect(await remote.counter().inc()).toBe(1); // the session is up; its own instances are made
    await macrotask();
    registered = 0;
    for (let index = 0; index < 20; index++) {
      using counter = remote.counter(); // pipelined on, never awaited
      expect(await counter.inc()).toBe(1);
    }
    for (let index = 0; index < 20; index++) {
      const counter = await remote.counter(); // awaited: a proxy takes the result's reference
      counter[Symbol.dispose](); // in the turn its Return arrived in
    }
    await macrotask();
    expect(registered).toBe(0);
    remote[Symbol.dispose]();
    await dialer.terminate();
    await expectDrained([dialer, listener]);
  });

  test('a capability result kept past its turn (here: across a round trip) is registered, once', async () => {
    const { dialer, listener, remote } = portSessions();
    expect(await remote.counter().inc()).toBe(1);
    await macrotask();
    registered = 0;
    const kept = remote.counter();
    expect(await kept.inc()).toBe(1); // settled as a capability; kept, not disposed
    await macrotask();
    expect(registered).toBe(1);
    kept[Symbol.dispose]();
    remote[Symbol.dispose]();
    await dialer.terminate();
    await expectDrained([dialer, listener]);
  });
});
