import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { describeValue } from '../src/errors.ts';
import {
  type CapabilityHandler,
  createResult,
  markEncoding,
  type ResultHandler,
  settledResult,
} from '../src/handler.ts';
import { DisposedError, type Proxy, proxy } from '../src/index.ts';
import { Calc, type ICalc } from './fixtures.ts';

/** A capability that counts its references and answers every call with the method's name. */
class CountingHandler implements CapabilityHandler {
  references = 1;
  call(method: string): ResultHandler {
    return settledResult({ kind: 'value', value: method });
  }
  whenResolved(): Promise<void> {
    return Promise.resolve();
  }
  retain(): void {
    this.references++;
  }
  release(): void {
    this.references--;
  }
  shorten(): CapabilityHandler {
    return this;
  }
}

/** A result that has settled with `capability` (which the result now holds one reference of). */
function capabilityResult(capability: CountingHandler): Proxy<{ hello(): Promise<string> }> {
  return createResult(settledResult({ kind: 'capability', handler: capability })) as Proxy<{
    hello(): Promise<string>;
  }>;
}

/** How many turns of the microtask queue `promise` takes to settle. */
async function turnsUntil(promise: Promise<unknown>): Promise<number> {
  let turns = 0;
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  while (!settled) {
    await undefined;
    turns++;
  }
  return turns;
}

describe('a call result is a native promise', () => {
  test('it is a Promise, and then, catch, finally and Promise.all make plain promises of it', async () => {
    const calc = proxy<ICalc>(new Calc(1));
    const result = calc.add(1);
    expect(result).toBeInstanceOf(Promise);
    const next = result.then((value) => value + 1);
    expect(Object.getPrototypeOf(next)).toBe(Promise.prototype);
    expect(await next).toBe(3);
    expect(await Promise.all([calc.add(1), calc.add(1)])).toEqual([3, 4]);
    expect(await calc.get().finally(() => undefined)).toBe(4);
    calc[Symbol.dispose]();
  });

  test('awaiting a local call takes three turns: the dispatch, the method, the caller', async () => {
    class Target {
      async add(a: number, b: number): Promise<number> {
        return a + b;
      }
      sum(a: number, b: number): number {
        return a + b;
      }
    }
    const direct = new Target();
    const remote = proxy(new Target());
    expect(await turnsUntil(direct.add(1, 2))).toBe(1);
    // The call runs at the top of a later turn, its async method's promise settles in the next,
    // and the caller continues in the one after (a thenable took five).
    expect(await turnsUntil(remote.add(1, 2))).toBe(3);
    expect(await turnsUntil(remote.sum(1, 2))).toBe(2);
    remote[Symbol.dispose]();
  });

  test('a pipelined name is a method even where a promise has none (any name but the reserved ones)', async () => {
    const calc = proxy<ICalc>(new Calc(2));
    const copy = calc.clone() as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    expect(typeof copy.add).toBe('function');
    expect(await copy.add!(1)).toBe(3);
    expect(copy.constructor).toBe(Promise);
    (copy as unknown as Disposable)[Symbol.dispose]();
    calc[Symbol.dispose]();
  });
});

describe('a result resolves only once someone takes it', () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', record);
  });
  afterEach(() => {
    process.off('unhandledRejection', record);
  });

  test('a failing call nobody awaits rejects nothing unhandled, even once its constructor was read', async () => {
    class Failing {
      async fail(): Promise<void> {
        throw new Error('nobody listens');
      }
    }
    const failing = proxy(new Failing());
    failing.fail();
    void (failing.fail() as unknown as { constructor: unknown }).constructor;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
    await expect(failing.fail()).rejects.toThrow('nobody listens');
    failing[Symbol.dispose]();
  });

  test('a capability result nobody awaits keeps its reference until it is disposed', () => {
    const capability = new CountingHandler();
    const result = capabilityResult(capability);
    result[Symbol.dispose]();
    expect(capability.references).toBe(0);
  });

  test('awaiting moves the reference into the proxy await gives: one dispose releases it', async () => {
    const capability = new CountingHandler();
    const result = capabilityResult(capability);
    const awaited = (await result) as Proxy<{ hello(): Promise<string> }>;
    expect(await awaited.hello()).toBe('hello');
    awaited[Symbol.dispose]();
    expect(capability.references).toBe(0);
    result[Symbol.dispose](); // does nothing more
    expect(capability.references).toBe(0);
    await expect(result.hello()).rejects.toBeInstanceOf(DisposedError);
  });

  test('a codec reading a result while encoding it (markEncoding) leaves the reference with the result', () => {
    const capability = new CountingHandler();
    const result = capabilityResult(capability);
    markEncoding(true);
    try {
      // What a serializer does to every object it meets.
      void (result as unknown as { constructor: unknown }).constructor;
    } finally {
      markEncoding(false);
    }
    result[Symbol.dispose]();
    expect(capability.references).toBe(0);
  });

  test("the package's own error messages describe a result without taking it", () => {
    const capability = new CountingHandler();
    const result = capabilityResult(capability);
    expect(describeValue(result)).toBe('a Promise');
    result[Symbol.dispose]();
    expect(capability.references).toBe(0);
  });
});
