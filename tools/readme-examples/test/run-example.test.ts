// The harness itself must fail when an example does: a thrown error (named by its markdown line), an example
// that never ends, and a type error are each reported, not passed.
import { fileURLToPath } from 'node:url';
import typescript from 'typescript5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractCodeBlocks } from '../src/code-blocks.ts';
import { type ExampleProject, writeExampleProject } from '../src/example-project.ts';
import { groupExamples } from '../src/examples.ts';
import { runExample } from '../src/run-example.ts';
import { type TypeCheckResult, typeCheckProject } from '../src/type-check.ts';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const fence = '```';
const markdown = [
  '# A page', // 1
  `${fence}ts`, // 2
  "console.log('fine');", // 3
  fence, // 4
  `${fence}ts`, // 5
  'const limit: number = 1;', // 6
  "throw new Error('broken at the README line ' + (limit + 6));", // 7
  fence, // 8
  `${fence}ts`, // 9
  'setInterval(() => {}, 1_000); // never ends', // 10
  fence, // 11
  `${fence}ts`, // 12
  "const wrong: number = 'text';", // 13
  fence, // 14
].join('\n');
const [fine, throws, endless, mistyped] = groupExamples(extractCodeBlocks('docs/page.md', markdown));

let project: ExampleProject;
let check: TypeCheckResult;
beforeAll(() => {
  project = writeExampleProject(repositoryRoot, [fine!, throws!, endless!, mistyped!]);
  check = typeCheckProject(typescript, project, { emit: true });
});
afterAll(() => project.remove());

describe('the example harness', () => {
  it('names a type error by its markdown file and line', () => {
    expect(check.errorsByExample.get(mistyped!.id)).toEqual([
      expect.stringMatching(
        /^docs\/page\.md:13:7 \(main\.ts\): error TS2322: Type 'string' is not assignable to type 'number'/,
      ),
    ]);
    expect([fine, throws, endless].map((example) => check.errorsByExample.get(example!.id))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('passes an example that prints and exits with status 0', async () => {
    const result = await runExample(project, fine!, 20_000);
    expect(result).toMatchObject({ ok: true, summary: 'exited with status 0' });
    expect(result.output).toBe('fine\n');
  });

  it('fails an example that throws, and its stack names the markdown line', async () => {
    const result = await runExample(project, throws!, 20_000);
    expect(result).toMatchObject({ ok: false, summary: 'exited with status 1' });
    expect(result.output).toContain('broken at the README line 7');
    expect(result.output).toMatch(/main\.ts:2:\d+ \(docs\/page\.md:7\)/);
  });

  it('kills and fails an example still running after its time', async () => {
    const result = await runExample(project, endless!, 1_500);
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(
      /^still running after 1500 ms \(an example must close what it opens\), killed$/,
    );
  });
});
