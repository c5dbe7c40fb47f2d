import { describe, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import { type SequenceFilter, SequencePrinter } from '../src/index.ts';

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

  test("the printer's filter takes undefined wherever it takes nothing", () => {
    expectTypeOf<ExplicitlyUndefined<SequenceFilter>>().toExtend<Partial<SequenceFilter>>();
    // The constructor takes the filter with both left unset (a compile check: this file is in `tsc -b`).
    const unset: ExplicitlyUndefined<SequenceFilter> = { sessions: undefined, types: undefined };
    void new SequencePrinter(unset);
  });
});
