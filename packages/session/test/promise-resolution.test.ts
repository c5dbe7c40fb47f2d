import { NotCapabilityError, type Proxy, proxy, Resolver } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { Calc, type ICalc } from './fixtures.ts';
import { served, sleep, turns } from './harness.ts';

/** The listener's side: hands out promises inside data and settles them when the test says. */
interface IPromiser {
  promise(): Promise<{ calc: Proxy<ICalc> }>;
  keep(calc: Proxy<ICalc>): Promise<void>;
}

class Promiser implements IPromiser {
  readonly resolvers: Resolver<Proxy<ICalc>>[] = [];
  kept: Proxy<ICalc> | undefined;
  async promise() {
    const resolver = new Resolver<Proxy<ICalc>>();
    this.resolvers.push(resolver);
    return { calc: resolver.proxy() };
  }
  async keep(calc: Proxy<ICalc>) {
    this.kept = proxy(calc);
  }
  /** Resolves the last promise with the capability kept (one of the dialer's), and drops it. */
  resolveWithKept() {
    this.resolvers.at(-1)!.resolve(this.kept!);
    this.kept![Symbol.dispose]();
    this.kept = undefined;
  }
}

describe('promise resolution across a session', () => {
  test('whenResolved() on a received promise waits for the resolution', async () => {
    const promiser = new Promiser();
    const { remote } = served<IPromiser>(promiser);
    const { calc } = await remote.promise();
    let resolved = false;
    const waiting = calc.whenResolved().then(() => {
      resolved = true;
    });
    await turns(3);
    expect(resolved).toBe(false);
    const host = proxy<ICalc>(new Calc(7));
    promiser.resolvers[0]!.resolve(host);
    host[Symbol.dispose]();
    await waiting;
    expect(await calc.get()).toBe(7);
    calc[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('whenResolved() and calls reject like the promise', async () => {
    const promiser = new Promiser();
    const { remote } = served<IPromiser>(promiser);
    const { calc } = await remote.promise();
    const before = calc.add(1);
    const waiting = calc.whenResolved();
    promiser.resolvers[0]!.reject(new RangeError('no calculator today'));
    await expect(waiting).rejects.toThrow(RangeError);
    await expect(before).rejects.toThrow('no calculator today');
    await expect(calc.add(2)).rejects.toThrow('no calculator today');
    calc[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a promise resolved to data rejects with NotCapabilityError', async () => {
    const promiser = new Promiser();
    const { remote } = served<IPromiser>(promiser);
    const { calc } = await remote.promise();
    (promiser.resolvers[0] as unknown as Resolver<number>).resolve(42);
    await expect(calc.whenResolved()).rejects.toBeInstanceOf(NotCapabilityError);
    calc[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a promise resolved to the receiver object becomes that object, in call order', async () => {
    const log: number[] = [];
    const promiser = new Promiser();
    const { remote, listener, dialer } = served<IPromiser>(promiser);
    const mine = new Calc(0, log);
    const local = proxy<ICalc>(mine);
    await remote.keep(local);
    const { calc } = await remote.promise();
    const early = [calc.add(1), calc.add(2)];
    await sleep(5);
    promiser.resolveWithKept();
    const late = [calc.add(3), calc.add(4)];
    await calc.whenResolved();
    const after = [calc.add(5)];
    await Promise.all([...early, ...late, ...after]);
    expect(log).toEqual([1, 2, 3, 4, 5]);
    expect(await proxy<ICalc>(mine).isOriginal(calc)).toBe(true);
    await listener.terminate('the host left');
    expect(dialer.isTerminated).toBe(true);
    expect(await calc.add(10)).toBe(25);
    calc[Symbol.dispose]();
    local[Symbol.dispose]();
    remote[Symbol.dispose]();
  });
});
