import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import {
  Codec,
  type CodecOptions,
  type ContractOptions,
  ContractRegistry,
  defaultLimits,
  type ValueFormOptions,
} from '../src/index.ts';

class Point {
  x = 0;
}

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

  test('each options type takes undefined wherever it takes nothing', () => {
    expectTypeOf<ExplicitlyUndefined<CodecOptions>>().toExtend<Partial<CodecOptions>>();
    expectTypeOf<ExplicitlyUndefined<ContractOptions<Point>>>().toExtend<Partial<ContractOptions<Point>>>();
    expectTypeOf<ExplicitlyUndefined<ValueFormOptions>>().toExtend<Partial<ValueFormOptions>>();
    type Limits = NonNullable<CodecOptions['limits']>;
    expectTypeOf<ExplicitlyUndefined<Limits>>().toExtend<Partial<Limits>>();
  });

  test('a codec whose every optional option is undefined uses the defaults', () => {
    const limits: ExplicitlyUndefined<NonNullable<CodecOptions['limits']>> = {
      maxFrameBytes: undefined,
      maxDepth: undefined,
      maxStringBytes: undefined,
      maxCollectionLength: undefined,
      maxBigIntBytes: undefined,
      maxRecordKeys: undefined,
      maxRecordDefinitions: undefined,
      maxWorkPerByte: undefined,
    };
    const unset: ExplicitlyUndefined<CodecOptions> = {
      registry: undefined,
      hooks: undefined,
      limits: undefined,
      errorStacks: undefined,
      unknownContracts: undefined,
      copyBytes: undefined,
      records: undefined,
    };
    // Before: undefined replaced the default and "limits.maxDepth must be a positive integer" threw.
    const codec = new Codec({ ...unset, limits });
    expect(codec.limits).toEqual(defaultLimits);
    expect(new Codec(unset).limits).toEqual(defaultLimits);
    const registry = new ContractRegistry();
    const contract: ExplicitlyUndefined<ContractOptions<Point>> = { base: undefined, create: undefined };
    registry.register(Point, { ...contract, name: 'test.Point', fields: ['x'] });
    const withPoint = new Codec({ ...unset, registry });
    const point = new Point();
    point.x = 3;
    expect(withPoint.decode(withPoint.encode(point))).toEqual(point);
  });
});
