/**
 * Shared by each package's `test/options-accept-undefined.test.ts`: the type that sets every optional
 * property to `undefined`, and the test that every exported options type of the package is checked
 * with it. Each test file keeps its own `expectTypeOf` lines and run-time checks; this file holds only
 * what is the same in all of them.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

/**
 * Each optional property of `T` set to `undefined`, as a caller writes who forwards a setting that
 * may be unset (`{ timeoutMs: flags.timeout }`). Under `exactOptionalPropertyTypes` (this project's
 * tsconfig, and many users') such an object is accepted only where the property is declared
 * `?: X | undefined`; the code then treats `undefined` as absent. Distributes over unions.
 */
export type ExplicitlyUndefined<T> = T extends unknown
  ? { [K in keyof T as {} extends Pick<T, K> ? K : never]-?: undefined }
  : never;

/**
 * The public options types of a package's entries: exported type names ending in `Options` in the
 * `./src/*.ts` files its `package.json` `exports` names.
 *
 * @param packageJsonUrl the package's `package.json`, e.g. `new URL('../package.json', import.meta.url)`
 */
function exportedOptionTypes(packageJsonUrl: URL): string[] {
  const manifest = JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const entries = JSON.stringify(manifest.exports).match(/\.\/src\/[\w/.-]+\.ts/g) ?? [];
  const names = new Set<string>();
  for (const entry of new Set(entries)) {
    const source = readFileSync(new URL(entry, packageJsonUrl), 'utf8');
    for (const [, block] of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
      for (const name of block!.match(/\b[A-Z]\w*Options\b/g) ?? []) names.add(name);
    }
  }
  return [...names].sort();
}

/**
 * The options types a test file checks: every name inside `ExplicitlyUndefined<...>` in its text.
 *
 * @param testFileUrl the test file itself: `new URL(import.meta.url)`
 */
function checkedOptionTypes(testFileUrl: URL): string[] {
  const text = readFileSync(testFileUrl, 'utf8');
  return [
    ...new Set([...text.matchAll(/ExplicitlyUndefined<(\w+Options)\b/g)].map((match) => match[1]!)),
  ].sort();
}

/**
 * Registers the test that the options test file at `testFileUrl` (`import.meta.url` of a
 * `<package>/test/*.test.ts`) names, inside `ExplicitlyUndefined<...>`, every options type its
 * package exports, so that a new exported options type fails until it is checked there too.
 */
export function testEveryOptionsTypeIsChecked(testFileUrl: string): void {
  test('every exported options type is checked here', () => {
    const checked = checkedOptionTypes(new URL(testFileUrl));
    expect(checked).toEqual(
      expect.arrayContaining(exportedOptionTypes(new URL('../package.json', testFileUrl))),
    );
  });
}
