import {
  facet,
  handOff,
  MethodNotFoundError,
  type Proxy,
  proxy,
  Resolver,
  type Revocable,
  RevokedError,
  revocable,
} from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { connect, eventually, listen, networks, party, sleep } from './fixtures/scenario-network.ts';

// A facet or a revocable capability made of a promise that has not resolved yet is a promise
// itself (docs/semantics.md#bounded-authority, #revocation): it crosses a session as a promise, so
// the receiver's whenResolved() waits and rejects as the promise does, and it resolves to a view of
// the same kind, so the authority never widens and the revocation still reaches it.

class Calc {
  total = 0;
  disposed = false;
  async get(): Promise<number> {
    return this.total;
  }
  async add(amount: number): Promise<number> {
    return (this.total += amount);
  }
  [Symbol.dispose](): void {
    this.disposed = true;
  }
}
type IReader = Pick<Calc, 'get'>;

interface IVault {
  /** A facet, allowing only `get`, of the calculator that is not there yet. */
  reader(): Proxy<IReader>;
  /** A revocable capability of the calculator that is not there yet. */
  guest(): Proxy<Calc>;
}

/** What `settled` saw of a promise so far. */
function watch(promise: Promise<void>): { state: string; settled: Promise<void> } {
  const seen = { state: 'pending', settled: Promise.resolve() };
  seen.settled = promise.then(
    () => {
      seen.state = 'resolved';
    },
    (error: unknown) => {
      seen.state = `rejected: ${(error as Error).name}`;
    },
  );
  return seen;
}

describe.each(networks)('views of a pending promise over $name', (network) => {
  /** A host whose vault hands out views of a promise for a calculator the test resolves later. */
  async function vault() {
    const resolver = new Resolver<Proxy<Calc>>();
    // Views take references of their own: the resolver's proxy and promise are disposed in close().
    const pending = resolver.proxy();
    const access: Revocable<Calc> = revocable<Calc>(pending);
    const narrowed = facet<Calc, 'get'>(pending, ['get']);
    class Vault implements IVault {
      reader() {
        return proxy(narrowed); // a copy: the host keeps its own
      }
      guest() {
        return proxy(access.proxy);
      }
    }
    const root = proxy<IVault>(new Vault());
    const host = await listen(network, party(network, root as Proxy<unknown>));
    root[Symbol.dispose]();
    const connection = await connect<IVault>(party(network), host);
    const close = () => {
      narrowed[Symbol.dispose]();
      access.proxy[Symbol.dispose]();
      pending[Symbol.dispose]();
      resolver.promise[Symbol.dispose]();
      connection.remote[Symbol.dispose]();
    };
    return { resolver, access, narrowed, close, ...connection };
  }

  test('whenResolved() on a received facet and revocable capability waits, then rejects like the promise', async () => {
    const { resolver, remote, close } = await vault();
    using reader = remote.reader();
    using guest = remote.guest();
    const readerState = watch(reader.whenResolved());
    const guestState = watch(guest.whenResolved());
    await sleep(30);
    expect([readerState.state, guestState.state]).toEqual(['pending', 'pending']);
    resolver.reject(new RangeError('no calculator today'));
    await expect(reader.whenResolved()).rejects.toThrow('no calculator today');
    await expect(guest.whenResolved()).rejects.toThrow('no calculator today');
    expect([readerState.state, guestState.state]).toEqual(['rejected: RangeError', 'rejected: RangeError']);
    close();
  });

  test('the resolved facet still refuses unlisted methods, locally and remotely; an allowed call pipelined before the resolution reaches the target', async () => {
    const { resolver, narrowed, remote, clientSession, close } = await vault();
    using reader = remote.reader();
    const hostile = reader as unknown as Proxy<Calc>;
    const localHostile = narrowed as unknown as Proxy<Calc>;
    const early = watch(reader.whenResolved());
    // Pipelined before the promise resolves: the allowed call waits, the others are refused.
    const first = reader.get();
    const refusedEarly = hostile.add(5);
    await expect(refusedEarly).rejects.toBeInstanceOf(MethodNotFoundError);
    await expect(localHostile.add(5)).rejects.toBeInstanceOf(MethodNotFoundError);
    const calc = new Calc();
    calc.total = 7;
    resolver.resolve(proxy(calc));
    expect(await first).toBe(7);
    await reader.whenResolved();
    // The early wait settles in its own turns (no order against the call above is promised).
    await early.settled;
    expect(early.state).toBe('resolved');
    // After the resolution: the import now names the host's facet of the calculator, never the calculator.
    expect(clientSession.stats().imports).toBeGreaterThanOrEqual(2);
    await expect(hostile.add(1)).rejects.toThrow(/this facet allows only 'get'/);
    await expect(localHostile.add(1)).rejects.toBeInstanceOf(MethodNotFoundError);
    expect(await reader.get()).toBe(7);
    expect(await narrowed.get()).toBe(7);
    expect(calc.total).toBe(7);
    close();
    reader[Symbol.dispose]();
    await eventually(() => calc.disposed);
    expect(calc.disposed).toBe(true);
  });

  test('revoking after the promise resolved reaches the remote holder of the resolution, and releases its import', async () => {
    const { resolver, access, remote, clientSession, close } = await vault();
    using guest = remote.guest();
    // Pipelined before the resolution, in order, on the promise export at the host.
    const pipelined = [guest.add(1), guest.add(10), guest.add(100)];
    // The host answered guest() with the promise (root and promise imported) before it resolves: on a
    // slow machine a fixed pause could end before the host served the call, which then returned the
    // resolution itself.
    await eventually(() => clientSession.stats().imports === 2);
    expect(clientSession.stats().imports).toBe(2);
    const calc = new Calc();
    resolver.resolve(proxy(calc));
    const racing = guest.add(1000); // sent while the Resolve travels
    expect(await Promise.all([...pipelined, racing])).toEqual([1, 11, 111, 1111]);
    await guest.whenResolved();
    expect(await guest.add(-1106)).toBe(5);
    // The root, the promise import the guest proxy holds, and the import of its resolution.
    expect(clientSession.stats().imports).toBe(3);
    access.revoke('closing time');
    await expect(guest.add(1)).rejects.toBeInstanceOf(RevokedError);
    await expect(access.proxy.add(1)).rejects.toBeInstanceOf(RevokedError);
    await expect(guest.whenResolved()).rejects.toBeInstanceOf(RevokedError);
    // The Revoke released the client's import of the resolution at once; the resolved promise
    // import stays while the guest proxy holds it (its calls fail with the revocation).
    await eventually(() => clientSession.stats().imports === 2);
    expect(clientSession.stats().imports).toBe(2);
    expect(calc.total).toBe(5);
    close();
    // Nobody else held the calculator: the revocation and the releases dispose it, without GC.
    await eventually(() => calc.disposed);
    expect(calc.disposed).toBe(true);
  });

  test('revoking before the promise resolved rejects the remote whenResolved() and every call after it', async () => {
    const { resolver, access, remote, close } = await vault();
    using guest = remote.guest();
    const waiting = watch(guest.whenResolved());
    const pipelined = guest.add(2);
    await sleep(10);
    access.revoke('changed my mind');
    await expect(guest.whenResolved()).rejects.toBeInstanceOf(RevokedError);
    await expect(pipelined).rejects.toBeInstanceOf(RevokedError);
    expect(waiting.state).toBe('rejected: RevokedError');
    const calc = new Calc();
    resolver.resolve(proxy(calc));
    await expect(guest.add(1)).rejects.toBeInstanceOf(RevokedError);
    await expect(access.proxy.add(1)).rejects.toBeInstanceOf(RevokedError);
    // A call already forwarded to the promise at the revocation may still run when it resolves
    // (revocation withdraws the answer, not an effect under way); nothing after it reaches it.
    expect(calc.total).toBe(2);
    close();
    await eventually(() => calc.disposed);
    expect(calc.disposed).toBe(true);
  });

  test('a facet of a promise of a remote call result resolves remotely to a facet too (A → B → C)', async () => {
    // C hosts the calculator; B narrows the result of a call on C before it returns and passes
    // the facet to A: A may only `get`, on B's facet, whatever its proxy claims.
    const calc = new Calc();
    calc.total = 4;
    class Maker {
      make() {
        return proxy(calc);
      }
    }
    const makerRoot = proxy(new Maker());
    const c = await listen(network, party(network, makerRoot as Proxy<unknown>));
    makerRoot[Symbol.dispose]();
    const b = party(network);
    const { remote: maker } = await connect<Maker>(b, c);
    class Middle {
      reader() {
        // The facet takes its own reference to the call's result; the method's goes at its end.
        using made = maker.make();
        return handOff(facet<Calc, 'get'>(made, ['get']));
      }
    }
    const middleRoot = proxy(new Middle());
    const bHost = await listen(network, party(network, middleRoot as Proxy<unknown>));
    middleRoot[Symbol.dispose]();
    const { remote: middle } = await connect<Middle>(party(network), bHost);
    using reader = middle.reader();
    expect(await reader.get()).toBe(4);
    await reader.whenResolved();
    await expect((reader as unknown as Proxy<Calc>).add(1)).rejects.toBeInstanceOf(MethodNotFoundError);
    expect(calc.total).toBe(4);
    reader[Symbol.dispose]();
    middle[Symbol.dispose]();
    maker[Symbol.dispose]();
    // B's facet, its import of the calculator and C's export went with A's reference, without GC.
    await eventually(() => calc.disposed);
    expect(calc.disposed).toBe(true);
  });
});
