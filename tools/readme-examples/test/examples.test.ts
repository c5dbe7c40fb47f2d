import { describe, expect, it } from 'vitest';
import { extractCodeBlocks } from '../src/code-blocks.ts';
import { groupExamples } from '../src/examples.ts';

const fence = '```';
const examplesOf = (lines: string[]) => groupExamples(extractCodeBlocks('docs/guide.md', lines.join('\n')));

describe('groupExamples', () => {
  it('makes one example of a block and the blocks that continue it, each line remembering its markdown line', () => {
    const [example, ...rest] = examplesOf([
      `${fence}ts`, // 1
      'const a = 1;', // 2
      fence, // 3
      'Prose.', // 4
      '<!-- example: continues -->', // 5
      `${fence}ts`, // 6
      'console.log(a);', // 7
      fence, // 8
    ]);
    expect(rest).toEqual([]);
    expect(example).toMatchObject({
      id: 'docs-guide-md-1',
      title: 'docs/guide.md:1 (with the blocks at lines 6)',
      mode: 'run',
      fenceLines: [1, 6],
      files: [{ name: 'main.ts', lines: ['const a = 1;', 'console.log(a);'], markdownLines: [2, 7] }],
    });
  });

  it('splits a block into files at "// file:" lines; the first file is the one run', () => {
    const [example] = examplesOf([
      `${fence}ts`,
      '// file: contracts.ts (shared)',
      'export interface I {}',
      '// file: main.ts',
      "import type { I } from './contracts.js';",
      fence,
    ]);
    expect(example!.files).toEqual([
      { name: 'contracts.ts', lines: ['export interface I {}'], markdownLines: [3] },
      { name: 'main.ts', lines: ["import type { I } from './contracts.js';"], markdownLines: [5] },
    ]);
  });

  it('checks a continuing typecheck-only block after its chain, without joining the chain to it', () => {
    const examples = examplesOf([
      `${fence}ts`, // 1
      'const a = 1;', // 2
      fence, // 3
      '<!-- example: continues, typecheck-only: `peer` is remote -->', // 4
      `${fence}ts`, // 5
      'declare const peer: number;', // 6
      fence, // 7
      '<!-- example: continues -->', // 8
      `${fence}ts`, // 9
      'console.log(a);', // 10
      fence, // 11
    ]);
    expect(
      examples.map(({ title, mode, reason, files }) => ({ title, mode, reason, lines: files[0]!.lines })),
    ).toEqual([
      {
        title: 'docs/guide.md:1 (with the blocks at lines 9)',
        mode: 'run',
        reason: undefined,
        lines: ['const a = 1;', 'console.log(a);'],
      },
      {
        title: 'docs/guide.md:5 (after the blocks at lines 1)',
        mode: 'typecheck-only',
        reason: '`peer` is remote',
        lines: ['const a = 1;', 'declare const peer: number;'],
      },
    ]);
  });

  it('refuses a file named twice and a "// file:" line without a .ts name', () => {
    expect(() => examplesOf([`${fence}ts`, '// file: a.ts', '// file: a.ts', fence])).toThrow(
      /docs\/guide.md:3: .*a.ts comes again/,
    );
    expect(() => examplesOf([`${fence}ts`, '// file: worker.js', fence])).toThrow(
      /docs\/guide.md:2: expected "\/\/ file: <name>.ts"/,
    );
  });
});
