import { describe, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import type { IpcConnectionOptions, RunSipOptions, SipOptions } from '../src/index.ts';

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

  test('each options type takes undefined wherever it takes nothing', () => {
    expectTypeOf<ExplicitlyUndefined<SipOptions>>().toExtend<Partial<SipOptions>>();
    expectTypeOf<ExplicitlyUndefined<RunSipOptions>>().toExtend<Partial<RunSipOptions>>();
    expectTypeOf<ExplicitlyUndefined<IpcConnectionOptions>>().toExtend<Partial<IpcConnectionOptions>>();
    type ResourceLimits = NonNullable<SipOptions['resourceLimits']>;
    expectTypeOf<ExplicitlyUndefined<ResourceLimits>>().toExtend<Partial<ResourceLimits>>();
    type SessionLimits = NonNullable<SipOptions['sessionLimits']>;
    expectTypeOf<ExplicitlyUndefined<SessionLimits>>().toExtend<Partial<SessionLimits>>();
    expectTypeOf<NonNullable<RunSipOptions['sessionLimits']>>().toEqualTypeOf<SessionLimits>();
  });
});
