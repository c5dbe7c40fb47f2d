import { type Proxy, proxy, Resolver, sameCapability } from '@msc/eventual';
import { type TraceEvent, traceMessages } from '@msc/session';
import { describe, expect, test } from 'vitest';
import { connect, eventually, listen, networks, party, sleep } from './fixtures/scenario-network.ts';

// Chains of resolution (docs/semantics.md#promise-resolution): a promise import whose resolution is
// another promise import that has already resolved, and calls pipelined on the first in several
// timings. A imports P from H and X from C; A lends X to H before X resolved; C resolves X to its
// counter, then H resolves P to what A lent it, which comes home to A as X (already resolved there):
// P → X → C's counter. Every call A makes on P reaches C's counter in the order A made it
// (E-order), whether made before X resolved, between X's and P's resolutions, while P's `Resolve`
// travels, or after. Every scenario runs over memory and TCP and is a leak check.

interface ICounter {
  add(n: number): Promise<number>;
}

class Counter implements ICounter {
  total = 0;
  disposed = false;
  readonly log: number[] = [];
  async add(n: number) {
    this.log.push(n);
    return (this.total += n);
  }
  [Symbol.dispose](): void {
    this.disposed = true;
  }
}

interface IPromiser {
  promise(): Promise<{ counter: Proxy<ICounter> }>;
  keep(counter: Proxy<ICounter>): Promise<void>;
}

/** Hands out a promise inside data, settled when the test says; keeps what it is lent. */
class Promiser implements IPromiser {
  resolver: Resolver<Proxy<ICounter>> | undefined;
  kept: Proxy<ICounter> | undefined;
  async promise() {
    this.resolver = new Resolver<Proxy<ICounter>>();
    return { counter: this.resolver.proxy() };
  }
  async keep(counter: Proxy<ICounter>) {
    this.kept = proxy(counter);
  }
  /** Settles the promise with `capability` (its reference moves into the promise). */
  resolveWith(capability: Proxy<ICounter>) {
    this.resolver!.resolve(capability);
    this.resolver!.promise[Symbol.dispose]();
  }
}

/** What a timing sees of the scene. */
interface ChainScene {
  /** Calls `add(n)` on P, the promise A imported from H. */
  readonly call: (n: number) => void;
  /**
   * C resolves X to its counter; resolves once A's import X has resolved. H resolves P to what A
   * lent it the moment A's `Resolve` of X reaches H (before H processes it), so P's `Resolve` names
   * A's export of X, which has resolved at A: A's import P resolves to its import X, resolved.
   */
  readonly resolveX: () => Promise<void>;
  /** Runs `hook` when H's `Resolve` of P reaches A, before A processes it. */
  readonly onResolveOfPArrives: (hook: () => void) => void;
  /** P, as A holds it. */
  readonly promise: Proxy<ICounter>;
}

describe.each(networks)('chains of resolution over $name', (network) => {
  /** The chain, with calls in the timing `timing` gives. */
  async function chain(timing: (scene: ChainScene) => Promise<void>) {
    const atC = new Promiser();
    const counterOfC = new Counter();
    const rootC = proxy<IPromiser>(atC);
    const c = await listen(network, party(network, rootC as Proxy<unknown>));
    rootC[Symbol.dispose]();
    const atH = new Promiser();
    const rootH = proxy<IPromiser>(atH);
    // H resolves P with what A lent it as A's `Resolve` of X arrives (H's only session).
    const atArrival = (event: TraceEvent) => {
      if (event.direction !== 'in' || event.type !== 'Resolve' || atH.kept === undefined) return;
      atH.resolveWith(atH.kept);
      atH.kept = undefined;
    };
    const h = await listen(
      network,
      party(network, rootH as Proxy<unknown>, traceMessages({ level: 'messages', sink: atArrival })),
    );
    rootH[Symbol.dispose]();
    let resolveOfPArrives: (() => void) | undefined;
    /** What H's `Resolve` of P named, and whether A's import X had resolved when it arrived. */
    const resolutionOfP: { named?: unknown; id?: unknown; xResolved?: boolean } = {};
    let exportOfX: unknown;
    let xResolved = false;
    const sink = (event: TraceEvent) => {
      if (event.type !== 'Resolve' || event.session !== 'A#2') return;
      if (event.direction === 'out') {
        exportOfX = event.fields.promiseId; // A's Resolve of its promise export of X
        return;
      }
      resolutionOfP.named = event.fields.capability;
      resolutionOfP.id = event.fields.capabilityId;
      resolutionOfP.xResolved = xResolved;
      resolveOfPArrives?.();
    };
    // A's sessions are labelled `A` (with C, made first) and `A#2` (with H).
    const a = party(network, undefined, traceMessages({ level: 'messages', sink, label: 'A' }));
    const toC = await connect<IPromiser>(a, c);
    const toH = await connect<IPromiser>(a, h);

    const { counter: x } = await toC.remote.promise();
    void x.whenResolved().then(() => {
      xResolved = true;
    });
    const { counter: p } = await toH.remote.promise();
    await toH.remote.keep(x); // X is lent to H before it resolved: a promise export of A
    const sent: number[] = [];
    const results: Promise<number>[] = [];
    const call = (n: number) => {
      sent.push(n);
      results.push(p.add(n));
    };
    await timing({
      call,
      resolveX: async () => {
        atC.resolveWith(proxy<ICounter>(counterOfC));
        await x.whenResolved();
      },
      onResolveOfPArrives: (hook) => {
        resolveOfPArrives = hook;
      },
      promise: p,
    });
    await p.whenResolved();
    call(1000);
    await Promise.all(results);
    // E-order: every call reached C's counter in the order A made it.
    expect(counterOfC.log).toEqual(sent);
    // H's Resolve of P named A's own export of X, which had resolved at A by then.
    expect(resolutionOfP).toEqual({ named: 'receiver-export', id: exportOfX, xResolved: true });
    // P is X at A now: the import of C's counter, not a path through H...
    expect(sameCapability(p, x)).toBe(true);
    // ...so H leaving takes nothing from A.
    await h.scope.close('H leaves');
    await eventually(() => toH.clientSession.isTerminated);
    expect(toH.clientSession.isTerminated).toBe(true);
    const total = counterOfC.total;
    expect(await p.add(1)).toBe(total + 1);
    p[Symbol.dispose]();
    x[Symbol.dispose]();
    toC.remote[Symbol.dispose]();
    // The last reference to C's counter went with A's: C disposes it, without GC.
    await eventually(() => counterOfC.disposed);
    expect(counterOfC.disposed).toBe(true);
  }

  test('calls before X resolves, and after P resolved', async () => {
    await chain(async ({ call, resolveX, promise }) => {
      for (let n = 1; n <= 3; n++) call(n);
      await resolveX();
      await promise.whenResolved();
      for (let n = 4; n <= 6; n++) call(n);
    });
  });

  test('calls only once X resolved at A, while P resolves', async () => {
    await chain(async ({ call, resolveX }) => {
      await resolveX();
      for (let n = 1; n <= 5; n++) call(n);
    });
  });

  test('calls made just as the Resolve of P arrives, and right after A processed it', async () => {
    await chain(async ({ call, resolveX, onResolveOfPArrives, promise }) => {
      let n = 1;
      for (; n <= 3; n++) call(n);
      onResolveOfPArrives(() => {
        call(n++); // still sent to P through H...
        queueMicrotask(() => call(n++)); // ...and one made once P is X: it must not overtake
      });
      await resolveX();
      await promise.whenResolved();
      expect(n).toBe(6);
    });
  });

  test('calls keep coming, one per turn, before, while and after both resolutions travel', async () => {
    await chain(async ({ call, resolveX, promise }) => {
      let resolved = false;
      void promise.whenResolved().then(() => {
        resolved = true;
      });
      let n = 1;
      for (; n <= 3; n++) call(n);
      await sleep(1);
      const resolving = resolveX();
      for (let turn = 0; turn < 2000 && !resolved; turn++) {
        call(n++);
        await sleep(0);
      }
      await resolving;
      for (let more = 0; more < 3; more++) call(n++);
    });
  });

  /**
   * A chain on the wire from one peer: H resolves P to a call it made on C that has not returned (a
   * promise of a peer, sent at once as another promise Q), and Q resolves when C returns. At A the
   * promise import P resolves to the promise import Q, which resolves later.
   */
  async function wireChain(timing: (scene: WireChainScene) => Promise<void>) {
    const counterOfC = new Counter();
    let giveCounter: (() => void) | undefined;
    class Later {
      /** Returns C's counter when the test says. */
      async counter(): Promise<Proxy<ICounter>> {
        await new Promise<void>((resolve) => {
          giveCounter = resolve;
        });
        return proxy<ICounter>(counterOfC);
      }
    }
    const rootC = proxy(new Later());
    const c = await listen(network, party(network, rootC as Proxy<unknown>));
    rootC[Symbol.dispose]();
    const atH = new Promiser();
    const rootH = proxy<IPromiser>(atH);
    const h = await listen(network, party(network, rootH as Proxy<unknown>));
    rootH[Symbol.dispose]();
    const toC = await connect<Later>(h, c);
    let resolveQArrived: (() => void) | undefined;
    const resolveOfQ = new Promise<void>((resolve) => {
      resolveQArrived = resolve;
    });
    const resolves: string[] = [];
    const sink = (event: TraceEvent) => {
      if (event.direction !== 'in' || event.type !== 'Resolve') return;
      resolves.push(String(event.fields.capability));
      if (resolves.length === 2) resolveQArrived?.();
    };
    const a = party(network, undefined, traceMessages({ level: 'messages', sink }));
    const toH = await connect<IPromiser>(a, h);
    const { counter: p } = await toH.remote.promise();
    const sent: number[] = [];
    const results: Promise<number>[] = [];
    const call = (n: number) => {
      sent.push(n);
      results.push(p.add(n));
    };
    await timing({
      call,
      resolveP: async () => {
        // The call on C has not returned: H sends P's resolution as another promise, Q.
        // (A proxy of the call's result: a capability settlement, not a result the promise follows.)
        const pending = toC.remote.counter();
        atH.resolveWith(proxy(pending as unknown as Proxy<ICounter>));
        pending[Symbol.dispose]();
        await eventually(() => giveCounter !== undefined && resolves.length === 1);
      },
      resolveQ: async () => {
        giveCounter!();
        await resolveOfQ;
      },
      promise: p,
    });
    await p.whenResolved();
    call(1000);
    await Promise.all(results);
    expect(counterOfC.log).toEqual(sent);
    // P's Resolve named a promise (Q), Q's named H's export of C's counter.
    expect(resolves).toEqual(['sender-promise', 'sender-export']);
    p[Symbol.dispose]();
    toH.remote[Symbol.dispose]();
    toC.remote[Symbol.dispose]();
    await eventually(() => counterOfC.disposed);
    expect(counterOfC.disposed).toBe(true);
  }

  test('a wire chain P → Q → C’s counter: calls before P resolves, between the two resolutions, and after', async () => {
    await wireChain(async ({ call, resolveP, resolveQ, promise }) => {
      for (let n = 1; n <= 3; n++) call(n);
      await resolveP();
      for (let n = 4; n <= 6; n++) call(n);
      await resolveQ();
      for (let n = 7; n <= 9; n++) call(n);
      await promise.whenResolved();
      for (let n = 10; n <= 12; n++) call(n);
    });
  });

  test('a wire chain P → Q → C’s counter: calls only once Q has resolved too', async () => {
    await wireChain(async ({ call, resolveP, resolveQ }) => {
      await resolveP();
      await resolveQ();
      for (let n = 1; n <= 5; n++) call(n);
    });
  });
});

/** What a timing sees of the wire chain. */
interface WireChainScene {
  /** Calls `add(n)` on P. */
  readonly call: (n: number) => void;
  /** H resolves P to its pending call on C; resolves once P's `Resolve` (to Q) reached A. */
  readonly resolveP: () => Promise<void>;
  /** C returns its counter; resolves once Q's `Resolve` reached A. */
  readonly resolveQ: () => Promise<void>;
  /** P, as A holds it. */
  readonly promise: Proxy<ICounter>;
}
