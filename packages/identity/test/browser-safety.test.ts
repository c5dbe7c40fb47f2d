// The core entry must load in browsers: nothing reachable from src/index.ts may import a node:
// module (the file functions live behind `@msc/identity/node`).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

function importsOf(file: URL): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((match) => match[1]!);
}

function reachableImports(entry: URL): Set<string> {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (file: URL) => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) visit(new URL(specifier, file));
      else external.add(specifier);
    }
  };
  visit(entry);
  return external;
}

it('the core entry reaches no node: module, the node entry does', () => {
  const core = reachableImports(new URL('../src/index.ts', import.meta.url));
  expect([...core].filter((specifier) => specifier.startsWith('node:'))).toEqual([]);
  expect([...core].sort()).toEqual(['@msc/session', '@noble/ed25519', '@noble/hashes/sha2.js']);
  const node = reachableImports(new URL('../src/node.ts', import.meta.url));
  expect(node.has('node:fs/promises')).toBe(true);
});

it('the package exports the core and ./node entries with the source condition', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  expect(manifest.exports['.']['@msc/source']).toBe('./src/index.ts');
  expect(manifest.exports['./node']['@msc/source']).toBe('./src/node.ts');
  expect(manifest.dependencies['@noble/ed25519']).toBe('3.2.0');
});
