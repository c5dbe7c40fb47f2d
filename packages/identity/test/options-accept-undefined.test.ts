import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  Identity,
  type IdentityAuthenticatorOptions,
  type IdentityOptions,
  memoryKnownPeers,
  type TrustOnFirstUseOptions,
  trustOnFirstUse,
} from '../src/index.ts';
import { loadIdentity, loadOrCreateIdentity, type SaveIdentityOptions, saveIdentity } from '../src/node.ts';

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
    expectTypeOf<ExplicitlyUndefined<IdentityOptions>>().toExtend<Partial<IdentityOptions>>();
    expectTypeOf<ExplicitlyUndefined<IdentityAuthenticatorOptions>>().toExtend<
      Partial<IdentityAuthenticatorOptions>
    >();
    expectTypeOf<ExplicitlyUndefined<TrustOnFirstUseOptions>>().toExtend<Partial<TrustOnFirstUseOptions>>();
    expectTypeOf<ExplicitlyUndefined<SaveIdentityOptions>>().toExtend<Partial<SaveIdentityOptions>>();
    type LoadOrCreateArgument = NonNullable<Parameters<typeof loadOrCreateIdentity>[1]>;
    expectTypeOf<ExplicitlyUndefined<LoadOrCreateArgument>>().toExtend<Partial<LoadOrCreateArgument>>();
  });

  test('undefined options are absent: no name, no overwrite, no callbacks', async () => {
    const unnamed: ExplicitlyUndefined<IdentityOptions> = { name: undefined };
    const identity = await Identity.generate(unnamed);
    expect(identity.name).toBeUndefined();
    const folder = await mkdtemp(join(tmpdir(), 'msc-options-'));
    try {
      const path = join(folder, 'identity.json');
      const keep: ExplicitlyUndefined<SaveIdentityOptions> = { overwrite: undefined };
      await saveIdentity(identity, path, keep);
      // overwrite undefined means "not set": an existing file is not replaced.
      await expect(saveIdentity(await Identity.generate(), path, keep)).rejects.toMatchObject({
        code: 'exists',
      });
      expect((await loadIdentity(path)).publicIdentity.equals(identity.publicIdentity)).toBe(true);
      const created = await loadOrCreateIdentity(join(folder, 'other.json'), { name: undefined });
      expect(created.name).toBeUndefined();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    const callbacks: ExplicitlyUndefined<TrustOnFirstUseOptions> = {
      onFirstUse: undefined,
      onKeyChange: undefined,
      onConfusableName: undefined,
    };
    const policy = trustOnFirstUse({ ...callbacks, knownPeers: memoryKnownPeers() });
    expect(policy).toBeDefined();
  });
});
