#!/usr/bin/env node
// Fails when a source file of `packages/*/src` grows past its size budget (part of `npm test`):
// `packages/session/src/session.ts`, the session's conductor, at most 400 lines; every other file at
// most 450, unless a comment near its top starts with "Why one file over 450 lines:" and says why.
// A file that keeps growing is usually two concepts in one; the budget makes that a decision someone
// writes down instead of a drift nobody notices (CONTRIBUTING.md, "One concept per file").
//
//   node scripts/check-file-sizes.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const budgets = new Map([['packages/session/src/session.ts', 400]]);
const defaultBudget = 450;
const reasonMarker = 'Why one file over 450 lines:';
/** How far from the top the reason may be (after the imports). */
const reasonWithinLines = 60;

/** Every .ts file under `folder`, recursively. */
function sourceFiles(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const packagesFolder = join(root, 'packages');
const problems = [];
let checked = 0;
for (const name of readdirSync(packagesFolder)) {
  let files;
  try {
    files = sourceFiles(join(packagesFolder, name, 'src'));
  } catch {
    continue; // a folder without src/
  }
  for (const file of files) {
    checked++;
    const path = relative(root, file).split('\\').join('/');
    const lines = readFileSync(file, 'utf8').split('\n');
    const count = lines.at(-1) === '' ? lines.length - 1 : lines.length;
    const budget = budgets.get(path);
    if (budget !== undefined) {
      if (count > budget) problems.push(`${path}: ${count} lines, at most ${budget}`);
    } else if (count > defaultBudget) {
      const stated = lines.slice(0, reasonWithinLines).some((line) => line.includes(reasonMarker));
      if (!stated)
        problems.push(
          `${path}: ${count} lines, over ${defaultBudget} with no "${reasonMarker}" comment in its first ${reasonWithinLines} lines`,
        );
    }
  }
}
if (problems.length > 0) {
  console.error(
    `file sizes: ${problems.length} file(s) over budget (split the file, or state why it is one):`,
  );
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(`file sizes: ${checked} files in packages/*/src within budget`);
