import {
  ArgumentError,
  MethodNotFoundError,
  type Proxy,
  proxy,
  Resolver,
  type StandardSchema,
} from '@msc/eventual';
import { createResult, handlerOf } from '@msc/eventual/handler';
import { describe, expect, test } from 'vitest';
import { Calc, type ICalc } from './fixtures.ts';
import { served, sessionPair, turns } from './harness.ts';

/** Sums entries; an entry may hold a capability whose value counts too. */
class Ledger {
  async total(entries: { amount: number; calc?: Proxy<ICalc> }[]): Promise<number> {
    let sum = 0;
    for (const entry of entries)
      sum += entry.amount + (entry.calc === undefined ? 0 : await entry.calc.get());
    return sum;
  }
}

/** The guide's calculator, whose `fail` throws an error with a code and a cause. */
class CodedCalc extends Calc {
  override async fail(message: string): Promise<Proxy<ICalc>> {
    const error = new RangeError(message, { cause: new Error('deeper') }) as RangeError & { code: string };
    error.code = 'out-of-range';
    throw error;
  }
}

describe('calls over a session', () => {
  test('a call on the remote root returns its data', async () => {
    const { remote } = served<ICalc>(new Calc(40));
    expect(await remote.add(2)).toBe(42);
    remote[Symbol.dispose]();
  });

  test('calls on one proxy are dispatched in call order', async () => {
    const calc = new Calc();
    const { remote } = served<ICalc>(calc);
    await Promise.all(Array.from({ length: 200 }, (_, index) => remote.add(index)));
    expect(calc.log).toEqual(Array.from({ length: 200 }, (_, index) => index));
    remote[Symbol.dispose]();
  });

  test('errors cross the wire with their type, message, code and cause', async () => {
    const { remote } = served<ICalc>(new CodedCalc());
    const error = await remote.fail('too big').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ message: 'too big', code: 'out-of-range', cause: { message: 'deeper' } });
    remote[Symbol.dispose]();
  });

  test('an unknown method is a clear error and the session stays up', async () => {
    const { remote } = served<ICalc>(new Calc(1));
    const loose = remote as unknown as Proxy<{ nope(): Promise<void> }>;
    await expect(loose.nope()).rejects.toBeInstanceOf(MethodNotFoundError);
    // A proxy answers `constructor` locally (local-names.test.ts); sent by name, as a peer could, it is refused.
    await expect(createResult(handlerOf(remote)!.call('constructor', []))).rejects.toThrow(/not callable/);
    expect(await remote.get()).toBe(1);
    remote[Symbol.dispose]();
  });

  test("a capability deep in a call's data is released once the call settles; data without one arrives as sent", async () => {
    // A payload that names no capability is not walked for one (answer-table.ts): this checks that the
    // walk still finds the one that is there, past a thousand plain entries.
    const { remote, listener } = served<Ledger>(new Ledger());
    await remote.whenResolved();
    const imported = listener.stats().imports;
    const plain = Array.from({ length: 1000 }, (_, index) => ({ amount: index }));
    expect(await remote.total(plain)).toBe(499_500);
    const calc = proxy<ICalc>(new Calc(7));
    expect(await remote.total([...plain, { amount: 0, calc }])).toBe(499_507);
    await turns();
    // The callee's instance was released when the call settled, though the caller still holds its own.
    expect(listener.stats().imports).toBe(imported);
    calc[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('calls queued on an unresolved promise get their data as sent, and release a capability deep in it', async () => {
    // Queued on a promise (promise-handler.ts), a payload that names no capability is kept as it was
    // decoded; one that names one gets copies of its proxies, released once the calls went on.
    const ledger = new Resolver<Proxy<Ledger>>();
    class Desk {
      ledger(): Proxy<Ledger> {
        return ledger.proxy();
      }
    }
    const { remote, listener } = served(new Desk());
    using promised = await remote.ledger();
    const plain = Array.from({ length: 1000 }, (_, index) => ({ amount: index }));
    const calc = proxy<ICalc>(new Calc(7));
    const totals = [promised.total(plain), promised.total([...plain, { amount: 0, calc }])];
    await turns();
    // Both calls arrived while the promise was unresolved: the second holds the peer's calc.
    const imported = listener.stats().imports;
    expect(imported).toBeGreaterThan(0);
    ledger.resolve(proxy(new Ledger()));
    expect(await Promise.all(totals)).toEqual([499_500, 499_507]);
    await turns();
    expect(listener.stats().imports).toBe(imported - 1);
    calc[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('an argument that cannot cross the wire fails that call only', async () => {
    const { remote } = served<ICalc>(new Calc(1));
    const loose = remote as unknown as Proxy<{ add(n: unknown): Promise<number> }>;
    await expect(loose.add(() => 1)).rejects.toThrow();
    expect(await remote.get()).toBe(1);
    remote[Symbol.dispose]();
  });

  test('an argument or a result that cannot cross names the fix for its kind (proxy(), url.href)', async () => {
    class Wallet {
      pay() {}
    }
    interface IEcho {
      echo(value: unknown): Promise<unknown>;
      wallet(): Promise<unknown>;
    }
    class Echo implements IEcho {
      async echo(value: unknown) {
        return value;
      }
      async wallet() {
        return new Wallet();
      }
    }
    const { remote } = served<IEcho>(new Echo());
    await expect(remote.echo(new Wallet())).rejects.toThrow(
      /got an instance of Wallet, which has methods; wrap it with proxy\(\) from @msc\/eventual to pass it by reference/,
    );
    await expect(remote.echo(() => 1)).rejects.toThrow(/got a function.*proxy\(\)/);
    await expect(remote.echo(new URL('https://example.com/'))).rejects.toThrow(/pass url\.href/);
    await expect(remote.wallet()).rejects.toThrow(/got an instance of Wallet.*proxy\(\)/);
    expect(await remote.echo('still up')).toBe('still up');
    remote[Symbol.dispose]();
  });

  test('opt-in argument validation protects the callee from a remote caller', async () => {
    const calc = new Calc(1);
    const schema: StandardSchema = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) =>
          Array.isArray(value) && typeof value[0] === 'number'
            ? { value }
            : { issues: [{ message: 'expected a number', path: [0] }] },
      },
    };
    const pair = sessionPair({
      listenerRoot: proxy<ICalc>(calc, { validate: { add: schema } }) as Proxy<unknown>,
    });
    const remote = pair.dialer.remoteRoot<ICalc>();
    const error = await (remote.add as (n: unknown) => Promise<number>)('1; drop table').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).issues).toEqual(['0: expected a number']);
    expect(calc.log).toEqual([]);
    expect(await remote.add(2)).toBe(3);
    remote[Symbol.dispose]();
  });

  test('the root may be chosen per peer, and Nothing is the default', async () => {
    const pair = sessionPair({ listenerRoot: async () => proxy<ICalc>(new Calc(7)) as Proxy<unknown> });
    const remote = pair.dialer.remoteRoot<ICalc>();
    expect(await remote.get()).toBe(7);
    const back = pair.listener.remoteRoot<ICalc>();
    await expect(back.get()).rejects.toMatchObject({ name: 'NothingError' });
    remote[Symbol.dispose]();
    back[Symbol.dispose]();
  });
});
