import { AbortedError, handOff, type Proxy, proxy } from '@msc/eventual';
import { describe, expect, test, vi } from 'vitest';
import { memoryTraceSink, traceMessages } from '../src/index.ts';
import { Calc, type ICalc } from './fixtures.ts';
import { served, sessionPair, sleep, turns } from './harness.ts';

describe('promise pipelining', () => {
  test('a chain of capability calls is sent before the first returns (one round trip)', async () => {
    const sink = memoryTraceSink();
    const { remote } = served<ICalc>(new Calc(1), {
      dialer: { trace: traceMessages({ level: 'messages', sink }) },
    });
    await remote.whenResolved();
    sink.events.length = 0;
    // The intermediate result is a call result too: its owner disposes it (no GC needed).
    using first = remote.clone();
    using copy = first.clone();
    expect(await copy.add(1)).toBe(2);
    const types = sink.events.map((event) => `${event.direction} ${event.type}`);
    // All three calls go out before any return comes back.
    expect(types.slice(0, 3)).toEqual(['out Call', 'out Call', 'out Call']);
    remote[Symbol.dispose]();
  });

  test("the callee's returns to a pipelined chain leave in one frame, though they settle microtasks apart", async () => {
    const { remote, connections } = served<ICalc>(new Calc(1));
    await remote.whenResolved();
    await turns();
    const sent = vi.spyOn(connections[1], 'send');
    using copy = remote.clone();
    expect(await copy.add(1)).toBe(2);
    // The capability return of clone() and the value return of add(), one frame (one write, one post).
    expect(sent).toHaveBeenCalledTimes(1);
    sent.mockRestore();
    remote[Symbol.dispose]();
  });

  test('with a 20 ms one-way delay, a three-call chain goes out before any answer comes back: one round trip, not three', async () => {
    const sink = memoryTraceSink();
    const { remote } = served<ICalc>(new Calc(1), {
      connection: { delayMs: 20 },
      dialer: { trace: traceMessages({ level: 'messages', sink }) },
    });
    await remote.whenResolved();
    const before = sink.events.length;
    const started = performance.now();
    using first = remote.clone();
    using copy = first.clone();
    expect(await copy.add(1)).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(38); // a round trip is 40 ms
    // Counted, not timed: every call went out before the first answer arrived.
    const order = sink.events
      .slice(before)
      .filter((event) => event.type === 'Call' || event.type === 'Return')
      .map((event) => `${event.type} ${event.direction}`);
    expect(order.slice(0, 4)).toEqual(['Call out', 'Call out', 'Call out', 'Return in']);
    remote[Symbol.dispose]();
  });

  test('calls made before and after resolution stay in order', async () => {
    const log: number[] = [];
    const { remote } = served<ICalc>(new Calc(0, log));
    const later = remote.cloneLater(10);
    const before = [later.add(1), later.add(2)];
    await later.whenResolved();
    const after = [later.add(3), later.add(4)];
    await Promise.all([...before, ...after]);
    expect(log).toEqual([1, 2, 3, 4]);
    later[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a pipelined call on a promise that rejects rejects with the same error', async () => {
    const { remote } = served<ICalc>(new Calc());
    const broken = remote.fail('no calculator');
    const pipelined = broken.add(1);
    await expect(pipelined).rejects.toThrow('no calculator');
    await expect(pipelined).rejects.toBeInstanceOf(RangeError);
    await expect(broken.whenResolved()).rejects.toBeInstanceOf(RangeError);
    broken[Symbol.dispose]();
    remote[Symbol.dispose]();
  });
});

describe('capability exchange', () => {
  test('capabilities travel as arguments, both directions', async () => {
    const { remote } = served<ICalc>(new Calc(1));
    const local = proxy<ICalc>(new Calc(41));
    expect(await remote.addFrom(local)).toBe(42);
    local[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a capability that returns home becomes the original object (no proxy of a proxy)', async () => {
    const { remote } = served<ICalc>(new Calc(1));
    const copy = remote.clone();
    expect(await remote.isOriginal(copy)).toBe(false); // a different object
    const home = remote.echo(remote);
    expect(await remote.isOriginal(home)).toBe(true);
    // And ours come home to us.
    const mine = new Calc(5);
    const local = proxy<ICalc>(mine);
    const back = remote.echo(local);
    expect(await back.get()).toBe(5);
    expect(await proxy<ICalc>(mine).isOriginal(await back)).toBe(true);
    for (const item of [copy, home, local, back, remote]) item[Symbol.dispose]();
  });

  test('the loopback case keeps instance order (embargo)', async () => {
    // The server echoes our own capability back. A call pipelined on the echo's result travels
    // to the server and back; a call made on the result once it resolved must not overtake it.
    const mine = new Calc();
    const local = proxy<ICalc>(mine);
    const { remote } = served<ICalc>(new Calc(), { connection: { delayMs: 30 } });
    await remote.whenResolved();
    const echoed = remote.echo(local);
    await sleep(15); // the echo reached the server and its return is on its way back
    const first = echoed.add(1); // pipelined on the answer: goes to the server and back
    const resolved = await echoed; // the return arrived: this is our own object again
    const second = resolved.add(2); // must wait for `first` to come back around
    await Promise.all([first, second]);
    expect(mine.log).toEqual([1, 2]);
    for (const item of [local, echoed, resolved, remote]) item[Symbol.dispose]();
  });

  test('a capability forwarded through a middle party keeps order', async () => {
    // A ↔ M ↔ B: B hosts the calculator; M passes B's capability on to A.
    const calc = new Calc();
    const right = served<ICalc>(calc); // M (dialer) → B (listener)
    interface IMiddle {
      calculator(): Proxy<ICalc>;
    }
    class Middle implements IMiddle {
      calculator() {
        return right.remote;
      }
    }
    const left = served<IMiddle>(new Middle()); // A (dialer) → M (listener)
    const forwarded = left.remote.calculator();
    await Promise.all(Array.from({ length: 100 }, (_, index) => forwarded.add(index)));
    expect(calc.log).toEqual(Array.from({ length: 100 }, (_, index) => index));
    forwarded[Symbol.dispose]();
    left.remote[Symbol.dispose]();
    right.remote[Symbol.dispose]();
  });
});

describe('lifetime across a session', () => {
  test("releasing the last import runs the host object's Symbol.dispose", async () => {
    const host = new Calc();
    const pair = sessionPair({ listenerRoot: proxy<ICalc>(new Calc()) as Proxy<unknown> });
    const remote = pair.dialer.remoteRoot<ICalc>();
    class Holder {
      async give(): Promise<Proxy<ICalc>> {
        return proxy<ICalc>(host);
      }
    }
    void Holder;
    const copy = remote.clone();
    await copy.add(1);
    expect(pair.listener.stats().exports).toBe(2);
    copy[Symbol.dispose]();
    for (let attempt = 0; attempt < 50 && pair.listener.stats().exports > 1; attempt++) await sleep(2);
    expect(pair.listener.stats().exports).toBe(1);
    remote[Symbol.dispose]();
  });

  test('a handed-off capability is disposed as soon as the remote holder releases it', async () => {
    const room = new Calc(5);
    interface IRooms {
      open(): Proxy<ICalc>;
    }
    class Rooms implements IRooms {
      open() {
        return handOff(proxy<ICalc>(room));
      }
    }
    const { remote } = served<IRooms>(new Rooms());
    const opened = remote.open();
    expect(await opened.get()).toBe(5);
    opened[Symbol.dispose]();
    for (let attempt = 0; attempt < 50 && room.disposed === 0; attempt++) await sleep(2);
    expect(room.disposed).toBe(1);
    remote[Symbol.dispose]();
  });

  test('a release crossing a re-export of the same capability leaves it alive', async () => {
    const shared = new Calc(3);
    const sharedProxy = proxy<ICalc>(shared);
    class Giver {
      give(): Proxy<ICalc> {
        return proxy(sharedProxy); // a copy: returning gives it away, and the giver keeps its own
      }
    }
    interface IGiver {
      give(): Proxy<ICalc>;
    }
    const { remote } = served<IGiver>(new Giver());
    for (let round = 0; round < 20; round++) {
      const first = remote.give();
      await first.whenResolved();
      first[Symbol.dispose](); // Release(id, n) is on its way...
      const second = remote.give(); // ...while the same export is sent again
      expect(await second.get()).toBe(3);
      second[Symbol.dispose]();
    }
    remote[Symbol.dispose]();
    sharedProxy[Symbol.dispose]();
    for (let attempt = 0; attempt < 50 && shared.disposed === 0; attempt++) await sleep(2);
    expect(shared.disposed).toBe(1);
  });
});

describe('termination', () => {
  test('a disconnect with hundreds of pending and pipelined calls settles every one', async () => {
    const { remote, connections } = served<ICalc>(new Calc(), { unchecked: true });
    await remote.whenResolved();
    const pending: Promise<unknown>[] = [];
    for (let index = 0; index < 300; index++) {
      pending.push(remote.cloneLater(1000).add(index));
      pending.push(remote.cloneLater(1000));
    }
    await sleep(5);
    (connections[0] as unknown as { breakNow(): void }).breakNow();
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    for (const outcome of outcomes)
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(AbortedError);
    // Later calls on the revoked capability fail at once.
    await expect(remote.get()).rejects.toBeInstanceOf(AbortedError);
  });
});
