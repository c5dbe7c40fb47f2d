import { NotCapabilityError, type Proxy, proxy, Resolver, sameCapability } from '@msc/eventual';
import { type Session, type TraceEvent, traceMessages } from '@msc/session';
import { describe, expect, test } from 'vitest';
import { connect, eventually, listen, networks, party, sleep } from './fixtures/scenario-network.ts';

// Promise resolution across sessions (docs/protocol.md#promise-resolution): a promise sent before it
// settled is resolved at the receiver by the sender's `Resolve`; one that resolves to the receiver's
// own object becomes that object (behind an embargo, in call order); a promise forwarded through a
// third party shortens. Every scenario runs over memory and TCP and is a leak check.

interface ICounter {
  add(n: number): Promise<number>;
  get(): Promise<number>;
}

/** The object whose travels the scenarios follow: it logs every `add` in the order it runs them. */
class Counter implements ICounter {
  total = 0;
  readonly log: number[] = [];
  async add(n: number) {
    this.log.push(n);
    return (this.total += n);
  }
  async get() {
    return this.total;
  }
}

/** A host that hands out promises inside data and settles them when the test says. */
interface IPromiser {
  promise(): Promise<{ counter: Proxy<ICounter> }>;
  keep(counter: Proxy<ICounter>): Promise<void>;
}

class Promiser implements IPromiser {
  readonly resolvers: Resolver<Proxy<ICounter>>[] = [];
  kept: Proxy<ICounter> | undefined;
  async promise() {
    const resolver = new Resolver<Proxy<ICounter>>();
    this.resolvers.push(resolver);
    return { counter: resolver.proxy() };
  }
  async keep(counter: Proxy<ICounter>) {
    this.kept = proxy(counter);
  }
  /** Settles the last promise with the kept capability (the client's own counter). */
  resolveWithKept() {
    this.resolvers.at(-1)!.resolve(this.kept!);
    this.kept![Symbol.dispose]();
    this.kept = undefined;
  }
}

/** C: holds a capability and gives it back later, through a promise. */
interface IHolder {
  hold(counter: Proxy<ICounter>): Promise<Proxy<ICounter>>;
}

class Holder implements IHolder {
  kept: Proxy<ICounter> | undefined;
  resolver: Resolver<Proxy<ICounter>> | undefined;
  hold(counter: Proxy<ICounter>) {
    this.kept = proxy(counter);
    this.resolver = new Resolver<Proxy<ICounter>>();
    return this.resolver.promise;
  }
  /** Settles the promise `hold` returned with the capability it was given. */
  giveBack() {
    this.resolver!.resolve(this.kept!);
    this.kept![Symbol.dispose]();
    this.kept = undefined;
  }
}

/** B: passes a capability on to C and hands back C's result, unresolved, inside data. */
interface IRelay {
  via(counter: Proxy<ICounter>): Promise<{ counter: Proxy<ICounter> }>;
}

class Relay implements IRelay {
  holder: Proxy<IHolder> | undefined;
  async via(counter: Proxy<ICounter>) {
    return { counter: this.holder!.hold(counter) as unknown as Proxy<ICounter> };
  }
}

/** C, in the other direction: hosts a counter and keeps what it is given. */
interface ICollector {
  counter(): Proxy<ICounter>;
  keep(data: { counter: Proxy<ICounter> }): Promise<void>;
}

class Collector implements ICollector {
  readonly own = new Counter();
  kept: Proxy<ICounter> | undefined;
  counter() {
    return proxy<ICounter>(this.own);
  }
  async keep(data: { counter: Proxy<ICounter> }) {
    this.kept = proxy(data.counter);
  }
}

/** B, in the other direction: gives out C's counter and passes data on to C. */
interface IForwarder {
  counterOfC(): Proxy<ICounter>;
  pass(data: { counter: Proxy<ICounter> }): Promise<void>;
}

class Forwarder implements IForwarder {
  collector: Proxy<ICollector> | undefined;
  counterOfC() {
    return this.collector!.counter() as unknown as Proxy<ICounter>;
  }
  async pass(data: { counter: Proxy<ICounter> }) {
    await this.collector!.keep(data);
  }
}

describe.each(networks)('promise resolution over $name', (network) => {
  async function promiserPair() {
    const promiser = new Promiser();
    const root = proxy<IPromiser>(promiser);
    const host = await listen(network, party(network, root as Proxy<unknown>));
    root[Symbol.dispose]();
    const client = party(network);
    const connection = await connect<IPromiser>(client, host);
    return { promiser, host, client, ...connection };
  }

  test('whenResolved() on a received promise waits for its resolution', async () => {
    const { promiser, remote } = await promiserPair();
    const { counter } = await remote.promise();
    let resolved = false;
    const waiting = counter.whenResolved().then(() => {
      resolved = true;
    });
    const early = counter.add(2); // pipelined to the promise
    await sleep(20);
    expect(resolved).toBe(false);
    const target = new Counter();
    const host = proxy<ICounter>(target);
    promiser.resolvers[0]!.resolve(host);
    host[Symbol.dispose]();
    await waiting;
    expect(await early).toBe(2);
    expect(await counter.add(3)).toBe(5);
    expect(target.log).toEqual([2, 3]);
    counter[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('whenResolved() and every call reject like the promise', async () => {
    const { promiser, remote } = await promiserPair();
    const { counter } = await remote.promise();
    const early = counter.add(1);
    const waiting = counter.whenResolved();
    await sleep(5);
    promiser.resolvers[0]!.reject(new RangeError('no counter today'));
    await expect(waiting).rejects.toThrow('no counter today');
    await expect(waiting).rejects.toBeInstanceOf(RangeError);
    await expect(early).rejects.toThrow('no counter today');
    await expect(counter.add(2)).rejects.toThrow('no counter today');
    // A promise that resolves to data is no capability either.
    const { counter: data } = await remote.promise();
    (promiser.resolvers[1] as unknown as Resolver<number>).resolve(42);
    await expect(data.whenResolved()).rejects.toBeInstanceOf(NotCapabilityError);
    data[Symbol.dispose]();
    counter[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test("a promise resolved to the receiver's own object becomes that object; the host leaving does not take it", async () => {
    const { promiser, host, remote, clientSession } = await promiserPair();
    const mine = new Counter();
    const local = proxy<ICounter>(mine);
    await remote.keep(local);
    const { counter } = await remote.promise();
    const before = [counter.add(1), counter.add(2)];
    await sleep(5);
    expect(sameCapability(counter, local)).toBe(false);
    promiser.resolveWithKept();
    const during = [counter.add(3), counter.add(4)];
    await counter.whenResolved();
    expect(sameCapability(counter, local)).toBe(true);
    // Calls no longer go out: they open no question on the session.
    const open = clientSession.stats().questions;
    const after = [counter.add(5), counter.add(6)];
    expect(clientSession.stats().questions).toBe(open);
    await Promise.all([...before, ...during, ...after]);
    expect(mine.log).toEqual([1, 2, 3, 4, 5, 6]);
    await host.scope.close('the host leaves');
    await eventually(() => clientSession.isTerminated);
    expect(clientSession.isTerminated).toBe(true);
    expect(await counter.add(10)).toBe(31);
    counter[Symbol.dispose]();
    local[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  /**
   * A→B→C→B→A: A lends its counter to B, B passes it to C, C gives it back to B through a promise
   * (B's pipelined call), and B hands A that promise before it resolved. A pipelines calls on it.
   * `release` says when C gives the counter back, relative to A's calls.
   */
  async function roundTrip(release: (scene: RoundTripScene) => Promise<void>) {
    const holder = new Holder();
    const holderRoot = proxy<IHolder>(holder);
    const c = await listen(network, party(network, holderRoot as Proxy<unknown>));
    holderRoot[Symbol.dispose]();
    const relay = new Relay();
    const relayRoot = proxy<IRelay>(relay);
    const b = await listen(network, party(network, relayRoot as Proxy<unknown>));
    relayRoot[Symbol.dispose]();
    const toC = await connect<IHolder>(b, c);
    relay.holder = toC.remote;
    // A's trace shows the moment B's `Resolve` arrives, before A has processed it.
    let resolveArrives: (() => void) | undefined;
    const sink = (event: TraceEvent) => {
      if (event.direction === 'in' && event.type === 'Resolve') resolveArrives?.();
    };
    const a = party(network, undefined, traceMessages({ level: 'messages', sink }));
    const toB = await connect<IRelay>(a, b);

    const mine = new Counter();
    const local = proxy<ICounter>(mine);
    const { counter } = await toB.remote.via(local);
    expect(sameCapability(counter, local)).toBe(false); // a promise through B, not resolved yet
    const sent: number[] = [];
    const results: Promise<number>[] = [];
    const call = (n: number) => {
      sent.push(n);
      results.push(counter.add(n));
    };
    await release({
      holder,
      call,
      counter,
      atC: toC.hostSession,
      onResolveArrives: (hook) => {
        resolveArrives = hook;
      },
    });
    await counter.whenResolved();
    call(100);
    await Promise.all(results);
    // E-order: every call reached A's counter in the order A made it.
    expect(mine.log).toEqual(sent);
    // A holds its own object, not an import through B...
    expect(sameCapability(counter, local)).toBe(true);
    // ...so B leaving takes nothing from A.
    await b.scope.close('B leaves');
    await eventually(() => toB.clientSession.isTerminated);
    expect(toB.clientSession.isTerminated).toBe(true);
    const total = mine.total;
    expect(await counter.add(1)).toBe(total + 1);
    expect(mine.log.at(-1)).toBe(1);
    counter[Symbol.dispose]();
    local[Symbol.dispose]();
    toB.remote[Symbol.dispose]();
    relay.holder[Symbol.dispose]();
  }

  interface RoundTripScene {
    readonly holder: Holder;
    readonly call: (n: number) => void;
    readonly counter: Proxy<ICounter>;
    /** C's session with B (its answers show when A's pipelined calls have arrived at C). */
    readonly atC: Session<unknown>;
    /** Runs `hook` when B's `Resolve` reaches A, before A processes it. */
    readonly onResolveArrives: (hook: () => void) => void;
  }

  test("a promise forwarded A→B→C that resolves to C's own object is that object at C, in call order, without B", async () => {
    const collector = new Collector();
    const collectorRoot = proxy<ICollector>(collector);
    const c = await listen(network, party(network, collectorRoot as Proxy<unknown>));
    collectorRoot[Symbol.dispose]();
    const forwarder = new Forwarder();
    const forwarderRoot = proxy<IForwarder>(forwarder);
    const b = await listen(network, party(network, forwarderRoot as Proxy<unknown>));
    forwarderRoot[Symbol.dispose]();
    const toC = await connect<ICollector>(b, c);
    forwarder.collector = toC.remote;
    const toB = await connect<IForwarder>(party(network), b);

    const theirs = toB.remote.counterOfC(); // C's counter, as A sees it (through B)
    const promise = new Resolver<Proxy<ICounter>>();
    const pending = promise.proxy();
    await toB.remote.pass({ counter: pending }); // B forwards A's promise to C before it resolved
    const kept = collector.kept!;
    const own = proxy<ICounter>(collector.own);
    expect(sameCapability(kept, own)).toBe(false);
    const sent: number[] = [];
    const results: Promise<number>[] = [];
    const call = (n: number) => {
      sent.push(n);
      results.push(kept.add(n));
    };
    for (let n = 1; n <= 3; n++) call(n); // C → B → A, queued in A's promise
    await sleep(5);
    promise.resolve(theirs); // A → B → C: the calls come home to C
    for (let n = 4; n <= 6; n++) call(n);
    await kept.whenResolved();
    call(7);
    await Promise.all(results);
    expect(collector.own.log).toEqual(sent);
    expect(sameCapability(kept, own)).toBe(true);
    await b.scope.close('B leaves');
    await eventually(() => toC.hostSession.isTerminated);
    expect(await kept.add(1)).toBe(29);
    own[Symbol.dispose]();
    pending[Symbol.dispose]();
    theirs[Symbol.dispose]();
    toB.remote[Symbol.dispose]();
    forwarder.collector[Symbol.dispose]();
    collector.kept = undefined;
    kept[Symbol.dispose]();
  });

  test('A→B→C→B→A: resolved before A sends its calls', async () => {
    await roundTrip(async ({ holder, call, counter }) => {
      holder.giveBack();
      await counter.whenResolved();
      for (let n = 1; n <= 5; n++) call(n);
    });
  });

  test('A→B→C→B→A: resolved after A sent its calls, before they arrive', async () => {
    await roundTrip(async ({ holder, call }) => {
      for (let n = 1; n <= 5; n++) call(n);
      holder.giveBack(); // same turn: A's calls have not even left A
      for (let n = 6; n <= 8; n++) call(n);
    });
  });

  test('A→B→C→B→A: resolved after A’s calls arrived at C', async () => {
    await roundTrip(async ({ holder, call, atC }) => {
      for (let n = 1; n <= 5; n++) call(n);
      // `hold` and the five calls pipelined on its answer are open at C.
      await eventually(() => atC.stats().answers >= 6);
      expect(atC.stats().answers).toBeGreaterThanOrEqual(6);
      holder.giveBack();
      for (let n = 6; n <= 8; n++) call(n);
    });
  });

  test('A→B→C→B→A: a call in flight when the resolution arrives is not overtaken (the embargo)', async () => {
    await roundTrip(async ({ holder, call, counter, onResolveArrives }) => {
      let n = 1;
      for (; n <= 3; n++) call(n);
      onResolveArrives(() => {
        // Sent to the promise (through B) just as the resolution arrives...
        call(n++);
        // ...and made once A holds its counter again: it must wait until the first came back.
        queueMicrotask(() => call(n++));
      });
      holder.giveBack();
      await counter.whenResolved();
      expect(n).toBe(6);
    });
  });

  test('A→B→C→B→A: calls keep coming before, while and after the resolution travels', async () => {
    await roundTrip(async ({ holder, call, counter }) => {
      let resolved = false;
      void counter.whenResolved().then(() => {
        resolved = true;
      });
      let n = 1;
      for (; n <= 3; n++) call(n);
      await sleep(1);
      holder.giveBack();
      // One call per turn until A has its object back, then a few more.
      for (let turn = 0; turn < 2000 && !resolved; turn++) {
        call(n++);
        await sleep(0);
      }
      for (let more = 0; more < 3; more++) call(n++);
    });
  });
});
