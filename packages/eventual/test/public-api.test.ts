import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as root from '../src/index.ts';

/** Every name the root entry exports, types included, read from the entry's export lists. */
function exportedNames(): string[] {
  const source = readFileSync(new URL('../src/index.ts', import.meta.url), 'utf8');
  const lists = [...source.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}/g)].map((match) => match[1]!);
  const names = lists.flatMap((list) =>
    list
      .split(',')
      .map((name) => name.trim().replace(/^type\s+/, ''))
      .filter((name) => name.length > 0),
  );
  if (/export\s*\*/.test(source)) throw new Error('the root entry re-exports a whole module: list its names');
  return names;
}

describe('the root entry of @msc/eventual', () => {
  test('exports at most 45 names: the user API; the call context lives in @msc/eventual/context, the handler seam in @msc/eventual/handler', () => {
    const names = exportedNames();
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeLessThanOrEqual(45);
    // The runtime names read from the source are the module's: the count cannot drift from it.
    for (const name of Object.keys(root)) expect(names).toContain(name);
    // None of the seam's operations leaks into it.
    for (const seam of ['createProxy', 'createResult', 'handlerOf', 'takeReference', 'PromiseHandler']) {
      expect(names).not.toContain(seam);
    }
  });
});
