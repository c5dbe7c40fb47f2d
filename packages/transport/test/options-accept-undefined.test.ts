import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  checkedOptionTypes,
  type ExplicitlyUndefined,
  exportedOptionTypes,
} from '../../../config/options-accept-undefined.ts';
import type { TransportComplianceOptions } from '../src/compliance/index.ts';
import type { CloseOptions, DialOptions, ListenOptions } from '../src/index.ts';
import type { ConnectionOptions, DialRaceOptions, FrameInboxOptions } from '../src/kit/index.ts';

describe('options accept an explicit undefined for every optional property', () => {
  test('every exported options type is checked here', () => {
    expect(checkedOptionTypes(new URL(import.meta.url))).toEqual(
      expect.arrayContaining(exportedOptionTypes(new URL('../package.json', import.meta.url))),
    );
  });

  test('each options type takes undefined wherever it takes nothing', () => {
    expectTypeOf<ExplicitlyUndefined<CloseOptions>>().toExtend<Partial<CloseOptions>>();
    expectTypeOf<ExplicitlyUndefined<DialOptions>>().toExtend<Partial<DialOptions>>();
    expectTypeOf<ExplicitlyUndefined<ListenOptions>>().toExtend<Partial<ListenOptions>>();
    expectTypeOf<ExplicitlyUndefined<TransportComplianceOptions>>().toExtend<
      Partial<TransportComplianceOptions>
    >();
    expectTypeOf<ExplicitlyUndefined<ConnectionOptions>>().toExtend<Partial<ConnectionOptions>>();
    expectTypeOf<ExplicitlyUndefined<DialRaceOptions>>().toExtend<Partial<DialRaceOptions>>();
    expectTypeOf<ExplicitlyUndefined<FrameInboxOptions>>().toExtend<Partial<FrameInboxOptions>>();
  });
});
