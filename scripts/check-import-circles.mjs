#!/usr/bin/env node
// Fails when any import circle exists among the sources of `packages/*` (part of `npm test`).
//
// Entries are every `@msc/source` target in every package's exports map (the root entry and each
// subpath such as `@msc/transport/compliance`), so a new subpath entry is checked without editing
// this file. dpdm (pinned in the root devDependencies) walks the imports from there. Imports of
// `@msc/*` resolve through `tsconfig.base.json` (its `@msc/source` condition) to the other packages'
// sources, so a circle that runs through two packages is found too.
//
// Type-only imports count. An `import type` circle costs nothing at run time, but it is the same
// knot in the design (neither file can be read, moved or split without the other), DESIGN §2 allows
// no circle, and one edit (a type import that becomes a value import) turns it into a run-time
// circle that rollup warns about and that can leave a binding undefined during module evaluation.
// Dynamic imports count for the same reason. An import the check cannot resolve is an error:
// otherwise a circle behind it would pass unseen.
//
//   node scripts/check-import-circles.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every string under an `@msc/source` key of an exports map, however deeply its conditions nest. */
function sourceTargets(exportsValue, underSource = false) {
  if (typeof exportsValue === 'string') return underSource ? [exportsValue] : [];
  if (exportsValue === null || typeof exportsValue !== 'object') return [];
  return Object.entries(exportsValue).flatMap(([key, value]) =>
    sourceTargets(value, underSource || key === '@msc/source'),
  );
}

/** The source entry files of every package, relative to the repository root. */
function packageEntries() {
  const entries = [];
  for (const folder of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const targets = sourceTargets(manifest.exports);
    if (targets.length === 0) {
      throw new Error(
        `expected packages/${folder}/package.json to map its entries with the "@msc/source" condition, found none`,
      );
    }
    for (const target of new Set(targets)) {
      const file = join('packages', folder, target);
      if (!existsSync(join(root, file))) {
        throw new Error(
          `expected the "@msc/source" entry ${target} of packages/${folder} to exist, it does not`,
        );
      }
      entries.push(file);
    }
  }
  return entries;
}

async function main() {
  const entries = packageEntries();
  const tree = await parseDependencyTree(entries, {
    context: root,
    tsconfig: join(root, 'tsconfig.base.json'),
    transform: false, // keep type-only imports: see the header
    skipDynamicImports: false,
  });
  const files = Object.keys(tree).filter((file) => file.startsWith('packages/'));
  const unresolved = Object.entries(tree).flatMap(([file, dependencies]) =>
    (dependencies ?? [])
      .filter((dependency) => dependency.id === null && /^(\.|@msc\/)/.test(dependency.request))
      .map((dependency) => `${file} imports ${dependency.request}, which does not resolve`),
  );
  const circles = parseCircular(tree, false);
  if (unresolved.length > 0) {
    console.error(`import circles: cannot check, ${unresolved.length} import(s) do not resolve:`);
    for (const line of unresolved) console.error(`  ${line}`);
    return 1;
  }
  if (circles.length > 0) {
    console.error(
      `import circles: ${circles.length} found in packages/ (each file imports the next, the last the first):`,
    );
    circles.forEach((circle, index) => {
      console.error(`  ${index + 1}) ${circle.join(' -> ')}`);
    });
    console.error('Break each one: move what both files need into a file of its own that imports neither.');
    return 1;
  }
  console.log(`import circles: none in ${files.length} files reached from ${entries.length} package entries`);
  return 0;
}

process.exitCode = await main();
