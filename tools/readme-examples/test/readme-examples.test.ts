// Every TypeScript block of every README and docs page, as a user meets it: type-checked with the latest
// TypeScript 5.x (strict, NodeNext) against the packages' published declarations, and run with plain node on
// their built JavaScript. One test per example, named after its markdown file and line.
import { fileURLToPath } from 'node:url';
import typescript from 'typescript5';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPackages } from '../src/build-packages.ts';
import { collectExamples } from '../src/collect-examples.ts';
import { type ExampleProject, writeExampleProject } from '../src/example-project.ts';
import { runExample } from '../src/run-example.ts';
import { type TypeCheckResult, typeCheckProject } from '../src/type-check.ts';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const collected = collectExamples(repositoryRoot);
const examples = collected.flatMap((markdown) => markdown.examples);
/** How long one example may run; the slowest (a SIP in a worker) takes about a second on a quiet machine. */
const runTimeoutMs = 30_000;

let project: ExampleProject | undefined;
let check: TypeCheckResult;

beforeAll(() => {
  buildPackages(repositoryRoot);
  project = writeExampleProject(repositoryRoot, examples);
  check = typeCheckProject(typescript, project, { emit: true });
});

afterAll(() => project?.remove());

test('the markdown files hold TypeScript examples to test', () => {
  expect(collected.map((markdown) => markdown.markdownPath)).toContain('packages/session/README.md');
  expect(examples.length).toBeGreaterThan(0);
});

test(`TypeScript ${typescript.version} finds no error outside the examples (options, declarations they use)`, () => {
  expect(check.otherErrors).toEqual([]);
});

for (const markdown of collected) {
  describe(markdown.markdownPath, () => {
    for (const example of markdown.examples) {
      const what =
        example.mode === 'run' ? 'type-checks and runs' : `type-checks (not run: ${example.reason})`;
      test.concurrent(`${example.title} ${what}`, async () => {
        const errors = check.errorsByExample.get(example.id) ?? [];
        if (errors.length > 0) {
          throw new Error(
            `TypeScript ${check.version} finds ${errors.length} error(s):\n${errors.join('\n')}`,
          );
        }
        if (example.mode === 'typecheck-only') return; // said in the markdown, with its reason
        const result = await runExample(project!, example, runTimeoutMs);
        if (!result.ok)
          throw new Error(`node ${example.files[0]!.name}: ${result.summary}\n${result.output}`);
      });
    }
  });
}
