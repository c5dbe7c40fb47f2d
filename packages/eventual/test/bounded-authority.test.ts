import { describe, expect, test } from 'vitest';
import { facet, MethodNotFoundError, type Proxy, proxy, Resolver, sameCapability } from '../src/index.ts';
import { settle } from './fixtures.ts';

/** The devlog's lobby (RPC3): a seat's full interface, and the winnowed one a joined player gets. */
interface IJoinedPlayer {
  leave(): Promise<void>;
}
interface ISeat extends IJoinedPlayer {
  launch(): Promise<string>;
}

class Seat implements ISeat {
  readonly events: string[] = [];
  disposed = false;
  async leave(): Promise<void> {
    this.events.push('leave');
  }
  async launch(): Promise<string> {
    this.events.push('launch');
    return 'launched';
  }
  [Symbol.dispose](): void {
    this.disposed = true;
  }
}

describe('bounded authority (facets)', () => {
  test('a facet reaches only the methods it names; any other fails with MethodNotFoundError', async () => {
    const seat = new Seat();
    using joined = facet<IJoinedPlayer>(seat, ['leave']);
    const wide = joined as unknown as Proxy<ISeat>;
    await expect(wide.launch()).rejects.toThrow(MethodNotFoundError);
    await expect(wide.launch()).rejects.toThrow(
      /'launch' is not a callable method of a facet of Seat: this facet allows only 'leave'/,
    );
    await joined.leave();
    expect(seat.events).toEqual(['leave']);
  });

  test('proxy(target, { methods }) is the same narrowing', async () => {
    const seat = new Seat();
    using joined = proxy<ISeat>(seat, { methods: ['leave'] });
    await expect(joined.launch()).rejects.toBeInstanceOf(MethodNotFoundError);
    await joined.leave();
    expect(seat.events).toEqual(['leave']);
  });

  test('a facet of a proxy narrows it; the wider proxy keeps its own authority', async () => {
    const seat = new Seat();
    using full = proxy<ISeat>(seat);
    using joined = facet(full, ['leave']);
    // @ts-expect-error launch is not a method of the facet's type
    await expect(joined.launch()).rejects.toBeInstanceOf(MethodNotFoundError);
    expect(await full.launch()).toBe('launched');
    expect(seat.events).toEqual(['launch']);
  });

  test('only method names of the interface type-check', () => {
    const seat = new Seat();
    // @ts-expect-error 'fly' is not a method of IJoinedPlayer
    expect(() => facet<IJoinedPlayer>(seat, ['fly'])).toThrow(TypeError);
  });

  test('names that could never be called are refused when the facet is made', () => {
    const seat = new Seat();
    const loose = facet as (target: object, methods: unknown) => unknown;
    expect(() => loose(seat, ['events'])).toThrow(/'events' is not a callable method of Seat: it is a field/);
    expect(() => loose(seat, ['toString'])).toThrow(/no call can use that name/);
    expect(() => loose(seat, [42])).toThrow(/method names are strings/);
    expect(() => loose(seat, 'leave')).toThrow(/array of method names/);
  });

  test('calls through a facet keep instance order', async () => {
    class Log {
      readonly items: number[] = [];
      async add(n: number): Promise<void> {
        this.items.push(n);
      }
      async clear(): Promise<void> {
        this.items.length = 0;
      }
    }
    const log = new Log();
    using adder = facet<Log, 'add'>(log, ['add']);
    await Promise.all(Array.from({ length: 50 }, (_, index) => adder.add(index)));
    expect(log.items).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  test('a facet holds the object: disposed when the facet and every proxy are released', async () => {
    const seat = new Seat();
    const full = proxy<ISeat>(seat);
    const joined = facet(full, ['leave']);
    full[Symbol.dispose]();
    await settle();
    expect(seat.disposed).toBe(false);
    await joined.leave();
    joined[Symbol.dispose]();
    await settle();
    expect(seat.disposed).toBe(true);
  });

  test('a facet is a capability of its own for sameCapability', () => {
    const seat = new Seat();
    using a = proxy<ISeat>(seat);
    using b = proxy<ISeat>(seat);
    using joined = facet(a, ['leave']);
    using again = facet(a, ['leave']);
    expect(sameCapability(a, b)).toBe(true);
    expect(sameCapability(a, joined)).toBe(false);
    expect(sameCapability(joined, again)).toBe(false);
  });

  test('a facet of a pending promise waits for it and rejects like it', async () => {
    const resolver = new Resolver<Proxy<ISeat>>();
    using pending = resolver.proxy();
    using joined = facet<ISeat, 'leave'>(pending, ['leave']);
    let state = 'pending';
    const waiting = joined.whenResolved().then(
      () => (state = 'resolved'),
      (error: unknown) => (state = (error as Error).message),
    );
    await settle();
    expect(state).toBe('pending');
    resolver.reject(new RangeError('no seat'));
    await waiting;
    expect(state).toBe('no seat');
    await expect(joined.leave()).rejects.toThrow('no seat');
    resolver.promise[Symbol.dispose]();
  });

  test('a facet of a pending promise resolves to a facet of the same methods: never to the wider capability', async () => {
    const resolver = new Resolver<Proxy<ISeat>>();
    const pending = resolver.proxy();
    const joined = facet<ISeat, 'leave'>(pending, ['leave']);
    const hostile = joined as unknown as Proxy<ISeat>;
    const early = joined.leave(); // pipelined, in order, to the seat once it is there
    await expect(hostile.launch()).rejects.toBeInstanceOf(MethodNotFoundError); // refused at once
    const seat = new Seat();
    using owner = proxy<ISeat>(seat);
    resolver.resolve(proxy(owner));
    await early;
    await joined.whenResolved();
    await expect(hostile.launch()).rejects.toThrow(/this facet allows only 'leave'/);
    await joined.leave();
    expect(seat.events).toEqual(['leave', 'leave']);
    // What the facet resolved to is a facet of the seat, not the seat.
    expect(sameCapability(joined, owner)).toBe(false);
    pending[Symbol.dispose]();
    resolver.promise[Symbol.dispose]();
    joined[Symbol.dispose]();
    owner[Symbol.dispose]();
    await settle();
    expect(seat.disposed).toBe(true);
  });
});
