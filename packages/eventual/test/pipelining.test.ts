import { describe, expect, test } from 'vitest';
import { NotCapabilityError, type Proxy, proxy, Resolver } from '../src/index.ts';
import { Calc, type ICalc } from './fixtures.ts';

describe('promise pipelining', () => {
  test('a capability-returning method gives a proxy usable at once', async () => {
    const calc = proxy<ICalc>(new Calc(10));
    const copy = calc.clone();
    expect(await copy.add(3)).toBe(13);
    await copy.whenResolved();
    copy[Symbol.dispose]();
  });

  test('async capability-returning methods pipeline too', async () => {
    const calc = proxy<ICalc>(new Calc(1));
    const later = calc.cloneLater();
    const sum = later.add(1);
    expect(await sum).toBe(2);
    const awaited = await later;
    expect(await awaited.get()).toBe(2);
  });

  test('a chain of capability calls pipelines without awaiting the middle', async () => {
    const calc = proxy<ICalc>(new Calc(2));
    expect(await calc.clone().clone().cloneLater().clone().add(1)).toBe(3);
  });

  test('calls made before and after resolution stay in order', async () => {
    const log: string[] = [];
    const calc = proxy<ICalc>(new Calc(0, log));
    const later = calc.cloneLater();
    const before = [later.add(1), later.add(2)];
    await later.whenResolved();
    const after = [later.add(3), later.add(4)];
    await Promise.all([...before, ...after]);
    expect(log).toEqual(['add 1', 'add 2', 'add 3', 'add 4']);
  });

  test('calls queued on a resolver are delivered in order when it resolves', async () => {
    const log: string[] = [];
    const resolver = new Resolver<Proxy<ICalc>>();
    const room = resolver.proxy();
    const first = room.add(1);
    const second = room.add(2);
    resolver.resolve(proxy<ICalc>(new Calc(0, log)));
    const third = room.add(3);
    expect(await Promise.all([first, second, third])).toEqual([1, 3, 6]);
    expect(log).toEqual(['add 1', 'add 2', 'add 3']);
    expect(resolver.settled).toBe(true);
  });

  test('a pipelined call on a promise that rejects rejects with the same error', async () => {
    class Failing {
      async broken(): Promise<Proxy<ICalc>> {
        throw new RangeError('no calculator for you');
      }
    }
    const failing = proxy(new Failing());
    const broken = failing.broken();
    const pipelined = broken.add(1);
    await expect(pipelined).rejects.toThrow('no calculator for you');
    await expect(pipelined).rejects.toBeInstanceOf(RangeError);
    await expect(broken.whenResolved()).rejects.toBeInstanceOf(RangeError);
  });

  test('a pipelined call on a result that is data fails with NotCapabilityError', async () => {
    const calc = proxy<ICalc>(new Calc(1));
    const data = calc.get() as unknown as Proxy<ICalc>;
    const error = await data.add(1).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(NotCapabilityError);
    expect((error as Error).message).toContain('a number');
  });

  test('a method may return another call result, which is followed', async () => {
    interface IForwarder {
      make(): Proxy<ICalc>;
    }
    const inner = proxy<ICalc>(new Calc(7));
    class Forwarder implements IForwarder {
      make(): Proxy<ICalc> {
        return inner.clone();
      }
    }
    const forwarder = proxy<IForwarder>(new Forwarder());
    expect(await forwarder.make().add(1)).toBe(8);
  });

  test('a capability passed as an argument arrives as a working proxy', async () => {
    const a = proxy<ICalc>(new Calc(1));
    const b = proxy<ICalc>(new Calc(41));
    expect(await a.addFrom(b)).toBe(42);
    // The caller still owns its own reference after the call.
    expect(await b.get()).toBe(41);
  });

  test('a capability passed deep inside data arrives as a working proxy', async () => {
    interface IDeep {
      sum(input: { nested: { calcs: Proxy<ICalc>[] }; map: Map<string, Proxy<ICalc>> }): Promise<number>;
    }
    class Deep implements IDeep {
      async sum(input: {
        nested: { calcs: Proxy<ICalc>[] };
        map: Map<string, Proxy<ICalc>>;
      }): Promise<number> {
        let total = 0;
        for (const calc of input.nested.calcs) total += await calc.get();
        for (const calc of input.map.values()) total += await calc.get();
        return total;
      }
    }
    const deep = proxy<IDeep>(new Deep());
    const calcs = [proxy<ICalc>(new Calc(1)), proxy<ICalc>(new Calc(2))];
    const map = new Map([['x', proxy<ICalc>(new Calc(3))]]);
    const input = { nested: { calcs }, map };
    expect(await deep.sum(input)).toBe(6);
    // The caller's value is left as it was: same containers, same proxy instances.
    expect(input.nested.calcs[0]).toBe(calcs[0]);
  });
});
