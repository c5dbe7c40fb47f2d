import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import {
  Identity,
  type IdentityAuthenticatorOptions,
  type IdentityOptions,
  memoryKnownPeers,
  type TrustOnFirstUseOptions,
  trustOnFirstUse,
} from '../src/index.ts';
import { loadIdentity, loadOrCreateIdentity, type SaveIdentityOptions, saveIdentity } from '../src/node.ts';

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

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
      maxKnownPeers: undefined,
    };
    const policy = trustOnFirstUse({ ...callbacks, knownPeers: memoryKnownPeers() });
    expect(policy).toBeDefined();
  });
});
