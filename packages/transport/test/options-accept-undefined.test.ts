import { describe, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import type { TransportComplianceOptions } from '../src/compliance/index.ts';
import type { CloseOptions, DialOptions, ListenOptions } from '../src/index.ts';
import type { ConnectionOptions, DialRaceOptions, FrameInboxOptions } from '../src/kit/index.ts';

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

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
