import { describe, expect, test } from 'vitest';
import { createResult, handlerOf, markSerialized } from '../src/handler.ts';
import { type Proxy, proxy, Resolver, sequence } from '../src/index.ts';
import { Calc, type ICalc, settle } from './fixtures.ts';

interface Order {
  id: number;
  items: { name: string; count: number }[];
  tags: Set<string>;
  notes: Map<string, string>;
  at: Date;
  bytes: Uint8Array;
}

function order(): Order {
  return {
    id: 1,
    items: [{ name: 'tea', count: 1 }],
    tags: new Set(['new']),
    notes: new Map([['door', 'back']]),
    at: new Date(0),
    bytes: new Uint8Array([1, 2, 3]),
  };
}

/**
 * `object` behind a JavaScript Proxy that counts how often a walk lists its keys: a decoder never
 * makes one, but it shows whether a dispatch looked inside the arguments.
 */
function keyCounted(object: object): { readonly value: object; keyListings(): number } {
  let listings = 0;
  const value = new Proxy(object, {
    ownKeys(target) {
      listings++;
      return Reflect.ownKeys(target);
    },
  });
  return { value, keyListings: () => listings };
}

/** A callee that returns nothing, so that only its arguments could be walked. */
class Sink {
  got: unknown;
  async take(value: unknown): Promise<void> {
    this.got = value;
  }
}

/** A callee that mutates everything it is given, and keeps what it returns. */
class Clerk {
  kept: Order | undefined;
  async stamp(value: Order): Promise<void> {
    value.id = 2;
    value.items[0]!.count = 99;
    value.items.push({ name: 'cake', count: 1 });
    value.tags.add('stamped');
    value.notes.set('door', 'front');
    value.at.setTime(1000);
    value.bytes[0] = 42;
  }
  async keep(value: Order): Promise<Order> {
    this.kept = value;
    return value;
  }
}

describe('local calls isolate data like remote ones', () => {
  test('a callee that mutates its argument does not change the caller value', async () => {
    using clerk = proxy(new Clerk());
    const mine = order();
    await clerk.stamp(mine);
    expect(mine).toEqual(order());
  });

  test('a caller that mutates a result does not change the callee state, nor the other way round', async () => {
    const target = new Clerk();
    using clerk = proxy(target);
    const result = await clerk.keep(order());
    result.items[0]!.count = 7;
    expect(target.kept!.items[0]!.count).toBe(1);
    target.kept!.id = 9;
    expect(result.id).toBe(1);
  });

  test('an argument mutated after the call, before dispatch, is not seen by the callee', async () => {
    const target = new Clerk();
    using clerk = proxy(target);
    const mine = order();
    const done = clerk.keep(mine);
    mine.id = 5;
    await done;
    expect(target.kept!.id).toBe(1);
  });

  test('cycles are kept; an object reached by two paths is copied twice, as a session sends it', async () => {
    class Echo {
      async echo<T>(value: T): Promise<T> {
        return value;
      }
    }
    using echo = proxy(new Echo());
    const shared = { n: 1 };
    const node: { next?: unknown; left: object; right: object } = { left: shared, right: shared };
    node.next = node;
    const copy = (await echo.echo(node)) as typeof node;
    expect(copy).not.toBe(node);
    expect(copy.next).toBe(copy);
    expect(copy.left).toEqual(copy.right);
    expect(copy.left).not.toBe(shared);
  });

  test('a graph whose sharing multiplies its paths is still copied in time linear in its objects', async () => {
    class Echo {
      async echo<T>(value: T): Promise<T> {
        return value;
      }
    }
    using echo = proxy(new Echo());
    // 60 levels, each pointing twice at the next: 2^60 paths, 61 objects.
    let level: object = { leaf: true };
    for (let index = 0; index < 60; index++) level = { a: level, b: level };
    const started = performance.now();
    const copy = (await echo.echo(level)) as { a: unknown; b: unknown };
    expect(performance.now() - started).toBeLessThan(5000);
    // Compared by identity only: a deep comparison would walk all 2^60 paths.
    expect(copy === level).toBe(false);
    expect(copy.a === (level as { a: unknown }).a).toBe(false);
  });

  test('with a capability inside such a graph, releasing the arguments is linear too', async () => {
    class Taker {
      async take(_value: unknown): Promise<number> {
        return 1;
      }
    }
    using taker = proxy(new Taker());
    using calc = proxy<ICalc>(new Calc());
    let level: object = { calc };
    for (let index = 0; index < 60; index++) level = { a: level, b: level };
    const started = performance.now();
    expect(await taker.take(level)).toBe(1);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await calc.get()).toBe(0);
  });

  test('capabilities inside data still arrive as working proxies of their own', async () => {
    class Holder {
      calc: Proxy<ICalc> | undefined;
      async take(value: { calc: Proxy<ICalc>; list: number[] }): Promise<number> {
        this.calc = proxy(value.calc); // kept past the call: a copy (arguments go when it settles)
        value.list.push(4);
        return value.calc.add(value.list.length);
      }
    }
    const calc = new Calc();
    using mine = proxy<ICalc>(calc);
    const holder = new Holder();
    using target = proxy(holder);
    const list = [1, 2, 3];
    expect(await target.take({ calc: mine, list })).toBe(4);
    expect(list).toEqual([1, 2, 3]);
    mine[Symbol.dispose]();
    expect(await holder.calc!.get()).toBe(4); // the callee's own proxy
    holder.calc![Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(1);
  });

  test('class instances and stream ends are passed by reference', async () => {
    class Point {
      #secret = 'kept';
      constructor(public x: number) {}
      secret(): string {
        return this.#secret;
      }
    }
    class Receiver {
      async take(point: Point, items: AsyncIterable<number>): Promise<string> {
        let sum = 0;
        for await (const item of items) sum += item;
        return `${point.secret()} ${point.x} ${sum}`;
      }
    }
    using receiver = proxy(new Receiver());
    const [items, writer] = sequence<number>();
    writer.write(1);
    writer.write(2);
    void writer.close();
    expect(await receiver.take(new Point(3), items)).toBe('kept 3 3');
  });

  test('data a session decoded for one call is not copied again, nor the result it will encode', async () => {
    const target = new Clerk();
    using clerk = proxy(target);
    const decoded = order();
    const args = [decoded];
    markSerialized(args);
    const result = createResult(handlerOf(clerk)!.call('keep', args)) as Promise<Order>;
    markSerialized(undefined);
    expect(await result).toBe(decoded);
    expect(target.kept).toBe(decoded);
    // The mark lasts for that call only: the same list called again is copied like any other.
    const again = createResult(handlerOf(clerk)!.call('keep', args)) as Promise<Order>;
    expect(await again).not.toBe(decoded);
    expect(target.kept).not.toBe(decoded);
    expect(target.kept).toEqual(decoded);
  });

  test('decoded data whose payload named no capability is not walked for proxies', async () => {
    const watched = keyCounted({ id: 1 });
    const target = new Sink();
    using sink = proxy(target);
    const call = async (holdsReferences: boolean) => {
      const args = [watched.value];
      markSerialized(args, holdsReferences);
      const result = createResult(handlerOf(sink)!.call('take', args));
      markSerialized(undefined);
      await result;
      expect(target.got).toBe(watched.value);
    };
    await call(false);
    expect(watched.keyListings()).toBe(0);
    // A payload that named a capability (or a stream) is walked for the proxies to copy.
    await call(true);
    expect(watched.keyListings()).toBeGreaterThan(0);
  });

  test('decoded data queued on an unresolved promise is not walked, and reaches its target as decoded', async () => {
    const watched = keyCounted({ id: 1 });
    const target = new Sink();
    // A call a session decoded, queued on a promise until it resolves to the target.
    const callQueued = async (holdsReferences: boolean) => {
      const sink = new Resolver<Proxy<Sink>>();
      using pending = sink.proxy();
      const args = [watched.value];
      markSerialized(args, holdsReferences);
      const result = createResult(handlerOf(pending)!.call('take', args));
      markSerialized(undefined);
      sink.resolve(proxy(target));
      await result;
    };
    // A payload that named no capability: queued as it is, and still marked as decoded when it goes
    // on, so the target neither walks nor copies it.
    await callQueued(false);
    expect(target.got).toBe(watched.value);
    expect(watched.keyListings()).toBe(0);
    // One that named a capability (or a stream) is walked for the proxies to copy and release.
    target.got = undefined;
    await callQueued(true);
    expect(target.got).toBe(watched.value);
    expect(watched.keyListings()).toBeGreaterThan(0);
  });
});
