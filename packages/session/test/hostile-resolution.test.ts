import { type Proxy, proxy, Resolver } from '@msc/eventual';
import { handlerOf, type ResultHandler } from '@msc/eventual/handler';
import { describe, expect, test } from 'vitest';
import { type TraceEvent, traceMessages } from '../src/index.ts';
import { Promiser } from './fixtures/promiser.ts';
import { type ICalc, rawPeer } from './fixtures.ts';
import { sessionPair, sleep, turns } from './harness.ts';

/**
 * Hostile and edge inputs to promise resolution beyond the message checks of
 * promise-resolution.test.ts: resolution loops and chains a peer builds, settlement listeners a
 * peer makes a host accumulate, and what `stats()` shows of them.
 */

describe('promise resolution against a hostile peer', () => {
  test('a promise released before its Resolve stays in stats().imports until the Resolve arrives', async () => {
    const promiser = new Promiser();
    const atRelease: number[] = [];
    const { dialer, listener } = sessionPair({
      listenerRoot: proxy(promiser) as Proxy<unknown>,
      listener: {
        trace: traceMessages({
          level: 'messages',
          sink: (event) => {
            if (event.direction === 'out' && event.type === 'Release')
              atRelease.push(listener.stats().imports);
          },
        }),
      },
    });
    const remote = dialer.remoteRoot<Promiser>();
    const resolver = new Resolver<Proxy<ICalc>>();
    const pending = resolver.proxy();
    await remote.keep(pending);
    expect(listener.stats().imports).toBe(2); // the root and the promise
    promiser.kept![Symbol.dispose]();
    promiser.kept = undefined;
    for (let attempt = 0; attempt < 100 && atRelease.length === 0; attempt++) {
      (globalThis as { gc?: () => void }).gc?.();
      await sleep(2);
    }
    // Released, but owed a Resolve (the dialer's `Released` one is on its way): still counted.
    expect(atRelease).toEqual([2]);
    for (let attempt = 0; attempt < 100 && listener.stats().imports > 1; attempt++) await sleep(2);
    expect(listener.stats().imports).toBe(1);
    pending[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a pending promise sent and released 1,000 times holds at most one settlement listener, none once the session ends', async () => {
    const ready = new Resolver<Proxy<ICalc>>(); // a service that is not ready yet: never settles here
    const watched = handlerOf(ready.proxy())!.shorten() as ResultHandler;
    // Counts the listeners alive on the promise through its own seam: added, removed or called.
    let live = 0;
    let most = 0;
    const onSettled = watched.onSettled.bind(watched);
    watched.onSettled = (listener) => {
      live++;
      most = Math.max(most, live);
      let alive = true;
      const end = () => {
        if (alive) live--;
        alive = false;
      };
      const remove = onSettled((settlement) => {
        end();
        listener(settlement);
      });
      return () => {
        end();
        remove();
      };
    };
    class Status {
      async status() {
        return { ready: ready.proxy() };
      }
    }
    const { dialer, listener } = sessionPair({
      listenerRoot: proxy(new Status()) as Proxy<unknown>,
      unchecked: true,
    });
    const remote = dialer.remoteRoot<Status>();
    for (let round = 0; round < 1000; round++) {
      const { ready: received } = await remote.status();
      received[Symbol.dispose]();
      for (let attempt = 0; attempt < 100 && listener.stats().exports > 1; attempt++) await sleep(0);
    }
    expect(listener.stats().exports).toBe(1);
    expect(most).toBe(1);
    const { ready: last } = await remote.status(); // sent once more, and held
    expect(live).toBe(1);
    await listener.terminate('over');
    expect(live).toBe(0);
    last[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a peer closes a resolution loop through a host promise: the host promise settles with an error naming the loop', async () => {
    const promiser = new Promiser();
    const pair = rawPeer(promiser);
    const { remote } = pair;
    const hostile = new Resolver<Proxy<ICalc>>();
    await remote.keep(hostile.proxy()); // the listener imports the dialer's promise 1
    const { calc } = await remote.promise(); // the listener's pending promise, its export 1
    // The dialer resolves its promise 1 to the listener's own export 1 (that pending promise).
    pair.send([13, 1, 1, [1, 1]]);
    await turns(3);
    expect(pair.listener.isTerminated).toBe(false);
    // Honest host code settles the promise it handed out with the capability it was given: that
    // capability resolves to the promise itself.
    expect(() => promiser.resolvers[0]!.resolve(proxy(promiser.kept!))).not.toThrow(); // gives away a copy
    let result: Promise<number> | undefined;
    expect(() => {
      result = promiser.kept!.get();
    }).not.toThrow();
    await expect(result).rejects.toThrow(/resolved to itself/);
    await expect(promiser.kept!.whenResolved()).rejects.toThrow(/resolved to itself/);
    await expect(calc.whenResolved()).rejects.toThrow(/resolved to itself/);
    expect(pair.listener.isTerminated).toBe(false);
    promiser.kept![Symbol.dispose]();
    calc[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test("a peer answers a host's question with the host's own answer that follows it: the loop is refused", async () => {
    const calls: { in?: number; out?: number } = {};
    const sink = (event: TraceEvent) => {
      if (event.type !== 'Call') return;
      const id = (event.fields as { questionId: number }).questionId;
      if (event.direction === 'in') calls.in ??= id;
      else calls.out ??= id;
    };
    const never = new Resolver<Proxy<ICalc>>();
    class Dialer {
      async wait() {
        return never.promise; // the honest answer never comes
      }
    }
    let waited: Proxy<ICalc> | undefined;
    class Relay {
      peer: Proxy<Dialer> | undefined;
      relay() {
        const question = this.peer!.wait();
        waited = proxy(question as unknown as Proxy<ICalc>);
        return question; // the listener's answer follows its own question to the dialer
      }
    }
    const relay = new Relay();
    const pair = rawPeer(relay, {
      dialerRoot: proxy(new Dialer()) as Proxy<unknown>,
      listener: { trace: traceMessages({ level: 'messages', sink }) },
    });
    relay.peer = pair.listener.remoteRoot<Dialer>();
    const { remote } = pair;
    const answer = remote.relay() as unknown as Proxy<ICalc>;
    for (let attempt = 0; attempt < 100 && calls.out === undefined; attempt++) await sleep(2);
    // Forged: the listener's question is answered with the listener's own answer, which follows it.
    pair.send([4, calls.out!, 1, [2, calls.in!]]);
    await turns(3);
    let result: Promise<number> | undefined;
    expect(() => {
      result = waited!.get();
    }).not.toThrow();
    await expect(result).rejects.toThrow(/resolved to itself/);
    await expect(answer.whenResolved()).rejects.toThrow(/resolved to itself/);
    expect(pair.listener.isTerminated).toBe(false);
    answer[Symbol.dispose]();
    remote[Symbol.dispose]();
    relay.peer[Symbol.dispose]();
  });

  test('a chain of 60,000 promises the peer resolves each to the next: one walk compresses it, a release does not recurse', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const promiser = new Promiser();
      const pair = rawPeer(promiser);
      await pair.remote.keep(new Resolver<Proxy<ICalc>>().proxy()); // the dialer's export 1, a promise
      const links = 60_000;
      for (let start = 1; start < links; start += 5000) {
        const messages: unknown[][] = [];
        for (let id = start; id < Math.min(start + 5000, links); id++) {
          messages.push([13, id, 1, [4, id + 1]]); // promise `id` resolves to promise `id + 1`
        }
        pair.sendAll(messages);
      }
      for (let attempt = 0; attempt < 200 && pair.listener.stats().imports < links + 1; attempt++)
        await sleep(5);
      expect(pair.listener.stats().imports).toBe(links + 1); // the root and every link
      // One call walks the chain once and compresses it: the links between the ends are released.
      void promiser.kept!.get().catch(() => undefined);
      expect(pair.listener.stats().imports).toBe(3); // the root, the head, the end
      promiser.kept![Symbol.dispose]();
      promiser.kept = undefined;
      await sleep(20);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  test('a chain released before any walk is released in a loop, not recursively', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const promiser = new Promiser();
      const pair = rawPeer(promiser);
      await pair.remote.keep(new Resolver<Proxy<ICalc>>().proxy());
      const links = 60_000;
      for (let start = 1; start < links; start += 5000) {
        const messages: unknown[][] = [];
        for (let id = start; id < Math.min(start + 5000, links); id++)
          messages.push([13, id, 1, [4, id + 1]]);
        pair.sendAll(messages);
      }
      for (let attempt = 0; attempt < 200 && pair.listener.stats().imports < links + 1; attempt++)
        await sleep(5);
      expect(pair.listener.stats().imports).toBe(links + 1);
      expect(() => promiser.kept![Symbol.dispose]()).not.toThrow();
      promiser.kept = undefined;
      // Every link is released (the unresolved end leaves a tombstone until its `Resolve`).
      expect(pair.listener.stats().imports).toBeLessThanOrEqual(2);
      await sleep(20);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
