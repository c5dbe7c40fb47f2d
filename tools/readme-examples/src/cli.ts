// The README examples from the command line, for a report or to try another TypeScript:
//
//   npx pnpm@10.34.8 --filter @msc/readme-examples check [-- --typescript <folder of a typescript package>]
//                                                         [--keep <empty folder>] [--no-run] [--no-build]
//                                                         [--lib-check]
//
// Prints, per markdown file, how many TypeScript blocks it has, how many examples they make, how many were
// type-checked clean and how many ran; then every error. Exits 1 when anything failed. `--typescript` checks
// with another compiler (`npm install --prefix /tmp/ts54 typescript@5.4`, then `--typescript
// /tmp/ts54/node_modules/typescript`); `--keep` leaves the project for `tsc -p`; `--lib-check` checks every
// declaration file too (Node's, the DOM's and the packages').
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type ts from 'typescript5';
import { buildPackages } from './build-packages.ts';
import { collectExamples } from './collect-examples.ts';
import { writeExampleProject } from './example-project.ts';
import type { Example } from './examples.ts';
import { runExample } from './run-example.ts';
import { typeCheckProject } from './type-check.ts';

const { values } = parseArgs({
  options: {
    typescript: { type: 'string' },
    keep: { type: 'string' },
    'no-run': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'lib-check': { type: 'boolean', default: false },
  },
});
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);
const typescript = require(
  values.typescript === undefined ? 'typescript5' : resolve(values.typescript),
) as typeof ts;

const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
if (!values['no-build']) {
  buildPackages(repositoryRoot);
  console.log(`built the packages (${seconds()})`);
}
const collected = collectExamples(repositoryRoot);
const examples = collected.flatMap((markdown) => markdown.examples);
const folder = values.keep === undefined ? undefined : resolve(values.keep);
const project = writeExampleProject(repositoryRoot, examples, folder, { libCheck: values['lib-check'] });
const check = typeCheckProject(typescript, project, { emit: !values['no-run'] });
console.log(`type-checked ${examples.length} examples with TypeScript ${check.version} (${seconds()})`);

const failures: string[] = [...check.otherErrors];
const ran = new Set<Example>();
if (!values['no-run']) {
  // Two at a time, as in the tests.
  const queue = examples.filter(
    (example) => example.mode === 'run' && !check.errorsByExample.has(example.id),
  );
  const worker = async (): Promise<void> => {
    for (let example = queue.shift(); example !== undefined; example = queue.shift()) {
      const result = await runExample(project, example, 30_000);
      if (result.ok) ran.add(example);
      else failures.push(`${example.title}: ${result.summary}\n${result.output}`);
    }
  };
  await Promise.all([worker(), worker()]);
  console.log(`ran them (${seconds()})`);
}
for (const errors of check.errorsByExample.values()) failures.push(...errors);

console.log('\nmarkdown file | blocks | examples | type-checked clean | run');
for (const markdown of collected) {
  const clean = markdown.examples.filter((example) => !check.errorsByExample.has(example.id)).length;
  const run = markdown.examples.filter((example) => ran.has(example)).length;
  const runnable = markdown.examples.filter((example) => example.mode === 'run').length;
  console.log(
    `${markdown.markdownPath} | ${markdown.blocks.length} | ${markdown.examples.length} | ${clean} | ${run} of ${runnable}`,
  );
}
const blocks = collected.reduce((sum, markdown) => sum + markdown.blocks.length, 0);
console.log(
  `total | ${blocks} | ${examples.length} | ${examples.length - check.errorsByExample.size} | ${ran.size}`,
);
if (values.keep === undefined) project.remove();
else console.log(`\nthe project is in ${project.root}`);
if (failures.length > 0) {
  console.log(`\n${failures.join('\n')}`);
  process.exitCode = 1;
}
