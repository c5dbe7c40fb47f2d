import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import { type CallOptions, withOptions } from '../src/context.ts';
import { bytes, type ConsumerOptions, type ProxyOptions, proxy, sequence } from '../src/index.ts';

interface ICalc {
  add(n: number): Promise<number>;
}

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

  test('each options type takes undefined wherever it takes nothing', () => {
    expectTypeOf<ExplicitlyUndefined<ConsumerOptions>>().toExtend<Partial<ConsumerOptions>>();
    expectTypeOf<ExplicitlyUndefined<CallOptions>>().toExtend<Partial<CallOptions>>();
    expectTypeOf<ExplicitlyUndefined<ProxyOptions<ICalc>>>().toExtend<Partial<ProxyOptions<ICalc>>>();
    type Validators = NonNullable<ProxyOptions<ICalc>['validate']>;
    expectTypeOf<ExplicitlyUndefined<Validators>>().toExtend<Partial<Validators>>();
  });

  test('undefined settings are absent: the defaults apply', async () => {
    const unset: ExplicitlyUndefined<ConsumerOptions> = { capacity: undefined, batchSize: undefined };
    const [items] = sequence<number>(unset);
    expect([items.capacity, items.batchSize]).toEqual([64, 64]);
    const [data] = bytes(unset);
    expect([data.capacity, data.batchSize]).toEqual([256 * 1024, 64 * 1024]);
    items.capacity = 8;
    expect(items.capacity).toBe(8);
    class Calc implements ICalc {
      async add(n: number) {
        return n + 1;
      }
    }
    const noValidation: ExplicitlyUndefined<ProxyOptions<ICalc>> = {
      validate: undefined,
      methods: undefined,
    };
    using calc = proxy<ICalc>(new Calc(), noValidation);
    const unchecked: ExplicitlyUndefined<NonNullable<ProxyOptions<ICalc>['validate']>> = { add: undefined };
    using unvalidated = proxy<ICalc>(new Calc(), { validate: unchecked });
    expect([await calc.add(1), await unvalidated.add(2)]).toEqual([2, 3]);
    const noContext: ExplicitlyUndefined<CallOptions> = {
      signal: undefined,
      timeoutMs: undefined,
      deadline: undefined,
      trace: undefined,
    };
    using plain = withOptions(calc, noContext);
    expect(await plain.add(3)).toBe(4);
  });
});
