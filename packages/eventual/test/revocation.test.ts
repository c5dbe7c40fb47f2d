import { describe, expect, test } from 'vitest';
import {
  AbortedError,
  facet,
  type Proxy,
  proxy,
  Resolver,
  RevokedError,
  revocable,
  sameCapability,
  sequence,
} from '../src/index.ts';
import { Calc, type ICalc, settle } from './fixtures.ts';

describe('revocation', () => {
  test('calls reach the object until revoke; afterwards results are already aborted with code revoked', async () => {
    const calc = new Calc();
    const { proxy: guest, revoke } = revocable<ICalc>(calc);
    expect(await guest.add(2)).toBe(2);
    revoke('the party is over');
    const error = await guest.add(3).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RevokedError);
    expect(error).toBeInstanceOf(AbortedError);
    expect(error).toMatchObject({
      code: 'revoked',
      message: 'the capability was revoked: the party is over',
      cause: 'the party is over',
    });
    await expect(guest.whenResolved()).rejects.toBeInstanceOf(RevokedError);
    expect(calc.total).toBe(2);
    guest[Symbol.dispose]();
  });

  test('every copy of the capability is revoked, and the object itself is untouched', async () => {
    const calc = new Calc();
    using owner = proxy<ICalc>(calc);
    const { proxy: guest, revoke } = revocable(owner);
    const copy = proxy(guest); // a second holder of the revocable capability
    revoke(new Error('banned'));
    await expect(copy.get()).rejects.toThrow('the capability was revoked: banned');
    await expect(guest.get()).rejects.toMatchObject({ code: 'revoked', cause: { message: 'banned' } });
    expect(await owner.add(1)).toBe(1);
    guest[Symbol.dispose]();
    copy[Symbol.dispose]();
  });

  test('revoking twice is a no-op: the first reason stays', async () => {
    const { proxy: guest, revoke } = revocable<ICalc>(new Calc());
    revoke('first');
    revoke('second');
    await expect(guest.get()).rejects.toThrow('revoked: first');
    guest[Symbol.dispose]();
  });

  test('calls in flight at the revocation settle with the revoked error', async () => {
    class Slow {
      async wait(): Promise<string> {
        await settle();
        return 'done';
      }
    }
    const { proxy: guest, revoke } = revocable(new Slow());
    const queued = guest.wait(); // not dispatched yet
    await settle();
    const running = guest.wait(); // dispatched, then revoked while it awaits
    revoke('stop');
    await expect(queued).rejects.toBeInstanceOf(RevokedError);
    await expect(running).rejects.toBeInstanceOf(RevokedError);
    guest[Symbol.dispose]();
  });

  test('a stream passed to a revoked capability is aborted', async () => {
    interface ISink {
      take(items: AsyncIterable<number>): Promise<void>;
    }
    class Sink implements ISink {
      async take(): Promise<void> {}
    }
    const { proxy: guest, revoke } = revocable<ISink>(new Sink());
    revoke();
    const [items, writer] = sequence<number>();
    await expect(guest.take(items)).rejects.toBeInstanceOf(RevokedError);
    expect(() => writer.write(1)).toThrow();
    guest[Symbol.dispose]();
  });

  test('revocation releases the object: it is disposed while stale holders remain', async () => {
    const calc = new Calc();
    const { proxy: guest, revoke } = revocable<ICalc>(calc);
    revoke();
    await settle();
    expect(calc.disposed).toBe(1);
    await expect(guest.get()).rejects.toBeInstanceOf(RevokedError);
    guest[Symbol.dispose]();
  });

  test('releasing the revocable capability releases the object; a later revoke does nothing', async () => {
    const calc = new Calc();
    const { proxy: guest, revoke } = revocable<ICalc>(calc);
    guest[Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(1);
    revoke();
  });

  test('a facet of a revocable capability is revoked with it', async () => {
    const { proxy: guest, revoke } = revocable<ICalc>(new Calc());
    using reader = facet(guest, ['get']);
    expect(await reader.get()).toBe(0);
    revoke('gone');
    await expect(reader.get()).rejects.toBeInstanceOf(RevokedError);
    guest[Symbol.dispose]();
  });

  test('a capability returned by a call made before the revocation is not revoked (a caretaker, not a membrane)', async () => {
    const { proxy: guest, revoke } = revocable<ICalc>(new Calc(5));
    const clone: Proxy<ICalc> = guest.clone();
    await clone.whenResolved();
    revoke();
    expect(await clone.get()).toBe(5);
    clone[Symbol.dispose]();
    guest[Symbol.dispose]();
  });

  test('the revocable capability is not the object for sameCapability, and is itself', () => {
    const calc = new Calc();
    using owner = proxy<ICalc>(calc);
    const { proxy: guest } = revocable(owner);
    using copy = proxy(guest);
    expect(sameCapability(guest, copy)).toBe(true);
    expect(sameCapability(guest, owner)).toBe(false);
    guest[Symbol.dispose]();
  });

  test('a revocable capability of a pending promise: whenResolved() waits, and a revocation before the resolution rejects it', async () => {
    const resolver = new Resolver<Proxy<ICalc>>();
    using pending = resolver.proxy();
    const { proxy: guest, revoke } = revocable<ICalc>(pending);
    let state = 'pending';
    const waiting = guest.whenResolved().then(
      () => (state = 'resolved'),
      (error: unknown) => (state = (error as Error).name),
    );
    await settle();
    expect(state).toBe('pending');
    revoke('not any more');
    await waiting;
    expect(state).toBe('RevokedError');
    const calc = new Calc();
    resolver.resolve(proxy<ICalc>(calc));
    await expect(guest.add(1)).rejects.toBeInstanceOf(RevokedError);
    expect(calc.total).toBe(0);
    guest[Symbol.dispose]();
    pending[Symbol.dispose]();
    resolver.promise[Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(1);
  });

  test('a revocable capability of a pending promise resolves to a revocable forwarder its revoke reaches', async () => {
    const resolver = new Resolver<Proxy<ICalc>>();
    using pending = resolver.proxy();
    const { proxy: guest, revoke } = revocable<ICalc>(pending);
    const early = [guest.add(1), guest.add(2)];
    const calc = new Calc();
    using owner = proxy<ICalc>(calc);
    resolver.resolve(proxy(owner));
    expect(await Promise.all(early)).toEqual([1, 3]);
    await guest.whenResolved();
    using resolvedCopy = proxy(guest); // shortens to the resolution's forwarder
    expect(sameCapability(guest, owner)).toBe(false);
    expect(await resolvedCopy.add(3)).toBe(6);
    revoke('closed');
    await expect(guest.add(1)).rejects.toBeInstanceOf(RevokedError);
    await expect(resolvedCopy.add(1)).rejects.toBeInstanceOf(RevokedError);
    await expect(guest.whenResolved()).rejects.toBeInstanceOf(RevokedError);
    expect(await owner.get()).toBe(6);
    guest[Symbol.dispose]();
    resolver.promise[Symbol.dispose]();
  });
});

describe('sameCapability', () => {
  test('two proxies of one object are the same; of two objects, or data, they are not', async () => {
    const calc = new Calc();
    using a = proxy<ICalc>(calc);
    using b = proxy<ICalc>(calc);
    using other = proxy<ICalc>(new Calc());
    expect(sameCapability(a, b)).toBe(true);
    expect(sameCapability(a, other)).toBe(false);
    expect(sameCapability(a, calc)).toBe(false);
    expect(sameCapability({}, {})).toBe(false);
  });

  test('a call result that resolved to a capability is that capability', async () => {
    const calc = new Calc();
    class Holder {
      get(): Proxy<ICalc> {
        return proxy<ICalc>(calc);
      }
    }
    using holder = proxy(new Holder());
    using direct = proxy<ICalc>(calc);
    using result = holder.get();
    await result.whenResolved();
    expect(sameCapability(result, direct)).toBe(true);
  });

  test('a disposed reference cannot be compared', () => {
    const a = proxy<ICalc>(new Calc());
    a[Symbol.dispose]();
    expect(() => sameCapability(a, a)).toThrow(/disposed/);
  });
});
