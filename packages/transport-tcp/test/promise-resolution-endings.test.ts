import { AbortedError, type Proxy, proxy, Resolver, sameCapability } from '@msc/eventual';
import { type TraceEvent, traceMessages } from '@msc/session';
import { describe, expect, test } from 'vitest';
import { connect, eventually, listen, networks, party, sleep } from './fixtures/scenario-network.ts';

// Promise resolution when a session ends at an awkward moment (docs/protocol.md#promise-resolution):
// what the receiver keeps of a promise whose resolution came home. Every scenario runs over memory
// and TCP and is a leak check.

interface ICounter {
  add(n: number): Promise<number>;
}

/** The object the scenarios follow: it logs every `add` in the order it runs them. */
class Counter implements ICounter {
  total = 0;
  readonly log: number[] = [];
  async add(n: number) {
    this.log.push(n);
    return (this.total += n);
  }
}

/** A host that hands out a promise and settles it with the capability it was given. */
class Promiser {
  readonly resolver = new Resolver<Proxy<ICounter>>();
  kept: Proxy<ICounter> | undefined;
  async promise() {
    return { counter: this.resolver.proxy() };
  }
  async keep(counter: Proxy<ICounter>) {
    this.kept = proxy(counter);
  }
}

describe.each(networks)('promise resolution endings over $name', (network) => {
  test("the host leaving between its Resolve (to the receiver's own object) and the DisembargoReply leaves the receiver its object", async () => {
    const promiser = new Promiser();
    const root = proxy(promiser);
    const host = await listen(network, party(network, root as Proxy<unknown>));
    root[Symbol.dispose]();
    let onResolve: (() => void) | undefined;
    const sink = (event: TraceEvent) => {
      if (event.direction === 'in' && event.type === 'Resolve') onResolve?.();
    };
    const client = party(network, undefined, traceMessages({ level: 'messages', sink }));
    const { remote, clientSession, hostSession } = await connect<Promiser>(client, host);
    const mine = new Counter();
    const local = proxy<ICounter>(mine);
    await remote.keep(local);
    const { counter } = await remote.promise();
    // Sent to the promise: its resolution coming home must wait behind an embargo.
    const early = counter.add(1);
    await sleep(5);
    // The host leaves the moment its Resolve reaches the client: the DisembargoReply never comes.
    onResolve = () => void hostSession.terminate('the host leaves');
    promiser.resolver.resolve(promiser.kept!);
    promiser.kept = undefined;
    await eventually(() => clientSession.isTerminated);
    // The call in flight through the host failed with the session; the object is still the client's.
    await expect(early).rejects.toBeInstanceOf(AbortedError);
    await expect(counter.whenResolved()).resolves.toBeUndefined();
    expect(sameCapability(counter, local)).toBe(true);
    // The early call reached the object only if it reached the host before it left.
    const before = mine.total;
    expect(await counter.add(10)).toBe(before + 10);
    expect(mine.log.at(-1)).toBe(10);
    counter[Symbol.dispose]();
    local[Symbol.dispose]();
    remote[Symbol.dispose]();
  });
});
