import { describe, expect, expectTypeOf, test } from 'vitest';
import { createResult, handlerOf } from '../src/handler.ts';
import {
  DisposedError,
  isCapability,
  isNothing,
  MethodNotFoundError,
  NothingError,
  nothing,
  type Proxy,
  proxy,
  type Result,
} from '../src/index.ts';
import { Calc, type ICalc, settle } from './fixtures.ts';

describe('local capabilities', () => {
  test('a call is dispatched at the top of a later turn, never inside the caller stack', async () => {
    const events: string[] = [];
    class Probe {
      async ping(): Promise<void> {
        events.push('dispatched');
      }
    }
    const probe = proxy(new Probe());
    const pending = probe.ping();
    events.push('after call');
    await pending;
    expect(events).toEqual(['after call', 'dispatched']);
  });

  test('calls on one proxy instance are dispatched in call order', async () => {
    const calc = new Calc();
    const remote = proxy<ICalc>(calc);
    const results = Array.from({ length: 100 }, (_, index) => remote.add(index));
    await Promise.all(results);
    expect(calc.log).toEqual(Array.from({ length: 100 }, (_, index) => `add ${index}`));
  });

  test('a call result is awaitable for its data', async () => {
    const remote = proxy<ICalc>(new Calc(5));
    expect(await remote.add(2)).toBe(7);
    expect(await remote.get()).toBe(7);
  });

  test('only methods of the class prototype chain are callable; others fail clearly', async () => {
    class Base {
      async inherited(): Promise<string> {
        return 'base';
      }
    }
    class Target extends Base {
      field = () => 'field';
      get accessor(): string {
        return 'accessor';
      }
      async own(): Promise<string> {
        return 'own';
      }
    }
    const remote = proxy(new Target()) as unknown as Proxy<Record<string, () => Promise<unknown>>>;
    expect(await remote.own!()).toBe('own');
    expect(await remote.inherited!()).toBe('base');
    // Sent by name through the handler, as a peer's call arrives: a proxy itself never sends the
    // names JavaScript probes on its own (`constructor`, `toString`, ...; see local-names.test.ts).
    const callByName = (name: string) => createResult(handlerOf(remote)!.call(name, [])) as Promise<unknown>;
    for (const name of [
      'field',
      'accessor',
      'constructor',
      'toString',
      'hasOwnProperty',
      'missing',
      '__proto__',
    ]) {
      const error = await callByName(name).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(error, name).toBeInstanceOf(MethodNotFoundError);
      expect((error as MethodNotFoundError).code).toBe('method-not-found');
      expect((error as Error).message).toContain(`'${name}'`);
    }
    // The capability keeps working after bad calls.
    expect(await remote.own!()).toBe('own');
  });

  test('a proxy is not thenable, so await never loops; whenResolved waits for it', async () => {
    const remote = proxy<ICalc>(new Calc());
    expect((remote as unknown as { then?: unknown }).then).toBeUndefined();
    const awaited = await (remote as unknown as Promise<unknown>);
    expect(awaited).toBe(remote);
    await expect(remote.whenResolved()).resolves.toBeUndefined();
  });

  test('errors thrown by the target reach the caller with type, message, code and cause', async () => {
    class GameError extends Error {
      override name = 'GameError';
      readonly code = 'slot-taken';
    }
    const cause = new Error('root cause');
    class Target {
      async fail(): Promise<void> {
        throw new GameError('slot 2 is taken', { cause });
      }
      failSync(): Promise<void> {
        throw new TypeError('sync failure');
      }
      rejected(): Promise<void> {
        return Promise.reject(new RangeError('rejected promise'));
      }
    }
    const remote = proxy(new Target());
    const error = await remote.fail().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(GameError);
    expect(error).toMatchObject({ name: 'GameError', message: 'slot 2 is taken', code: 'slot-taken', cause });
    await expect(remote.failSync()).rejects.toThrow(TypeError);
    await expect(remote.rejected()).rejects.toThrow('rejected promise');
  });

  test('a target that throws synchronously does not throw in the caller', () => {
    class Target {
      boom(): Promise<void> {
        throw new Error('boom');
      }
    }
    const remote = proxy(new Target());
    let result: Promise<void> | undefined;
    expect(() => {
      result = remote.boom();
    }).not.toThrow();
    return expect(result).rejects.toThrow('boom');
  });

  test('reentrant calls from inside a target method are queued, not run inside it', async () => {
    const events: string[] = [];
    interface IReentrant {
      outer(): Promise<void>;
      inner(): Promise<void>;
    }
    class Reentrant implements IReentrant {
      self: Proxy<IReentrant> | undefined;
      async outer(): Promise<void> {
        events.push('outer start');
        const inner = this.self!.inner();
        events.push('outer end');
        await inner;
      }
      async inner(): Promise<void> {
        events.push('inner');
      }
    }
    const target = new Reentrant();
    const remote = proxy<IReentrant>(target);
    target.self = proxy<IReentrant>(target);
    await remote.outer();
    expect(events).toEqual(['outer start', 'outer end', 'inner']);
    target.self[Symbol.dispose]();
  });

  test('a call after dispose fails with DisposedError', async () => {
    const remote = proxy<ICalc>(new Calc());
    remote[Symbol.dispose]();
    const error = await remote.get().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(DisposedError);
    expect((error as DisposedError).code).toBe('disposed');
    await expect(remote.whenResolved()).rejects.toBeInstanceOf(DisposedError);
  });

  test('Nothing fails every call with NothingError', async () => {
    const root = nothing<ICalc>();
    expect(isNothing(root)).toBe(true);
    expect(isCapability(root)).toBe(true);
    const error = await root.get().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(NothingError);
    expect((error as Error).message).toContain("'get'");
  });

  test('proxy() refuses what is not an object', () => {
    expect(() => proxy(42 as unknown as object)).toThrow(TypeError);
  });

  test('the types follow the interface', () => {
    const calc = proxy<ICalc>(new Calc());
    expectTypeOf(calc.add(1)).toEqualTypeOf<Result<number>>();
    expectTypeOf(calc.clone()).toEqualTypeOf<Proxy<ICalc>>();
    expectTypeOf(calc.clone().clone().add).parameters.toEqualTypeOf<[number]>();
    expectTypeOf<Awaited<ReturnType<typeof calc.cloneLater>>>().toEqualTypeOf<Proxy<ICalc>>();
    expectTypeOf(calc.cloneLater().add).returns.toEqualTypeOf<Result<number>>();
    // @ts-expect-error: not a method of ICalc
    void calc.nothingHere;
    calc[Symbol.dispose]();
  });
});

test('settle helper', async () => {
  await settle();
});
