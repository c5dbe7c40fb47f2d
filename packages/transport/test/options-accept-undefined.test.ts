import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type { TransportComplianceOptions } from '../src/compliance/index.ts';
import type { CloseOptions, DialOptions, ListenOptions } from '../src/index.ts';
import type { ConnectionOptions, DialRaceOptions, FrameInboxOptions } from '../src/kit/index.ts';

/**
 * Each optional property of `T` set to `undefined`, as a caller writes who forwards a setting that
 * may be unset (`{ timeoutMs: flags.timeout }`). Under `exactOptionalPropertyTypes` (this project's
 * tsconfig, and many users') such an object is accepted only where the property is declared
 * `?: X | undefined`; the code then treats `undefined` as absent. Distributes over unions.
 */
type ExplicitlyUndefined<T> = T extends unknown
  ? { [K in keyof T as {} extends Pick<T, K> ? K : never]-?: undefined }
  : never;

/** The public options types of this package's entries: exported type names ending in `Options`. */
function exportedOptionTypes(): string[] {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const entries = JSON.stringify(manifest.exports).match(/\.\/src\/[\w/.-]+\.ts/g) ?? [];
  const names = new Set<string>();
  for (const entry of new Set(entries)) {
    const source = readFileSync(new URL(`../${entry}`, import.meta.url), 'utf8');
    for (const [, block] of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
      for (const name of block!.match(/\b\w+Options\b/g) ?? []) names.add(name);
    }
  }
  return [...names].sort();
}

/** The options types this file checks: every name inside `ExplicitlyUndefined<...>` below. */
function checkedOptionTypes(): string[] {
  const text = readFileSync(new URL(import.meta.url), 'utf8');
  return [
    ...new Set([...text.matchAll(/ExplicitlyUndefined<(\w+Options)\b/g)].map((match) => match[1]!)),
  ].sort();
}

describe('options accept an explicit undefined for every optional property', () => {
  test('every exported options type is checked here', () => {
    expect(checkedOptionTypes()).toEqual(expect.arrayContaining(exportedOptionTypes()));
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
