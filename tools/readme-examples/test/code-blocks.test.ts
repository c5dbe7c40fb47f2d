import { describe, expect, it } from 'vitest';
import { extractCodeBlocks } from '../src/code-blocks.ts';

const fence = '```';

describe('extractCodeBlocks', () => {
  it('takes ts and typescript blocks with their fence lines, and leaves every other language alone', () => {
    const text = [
      '# Title', // 1
      `${fence}sh`, // 2
      'npm test', // 3
      fence, // 4
      `${fence}ts`, // 5
      'const a = 1;', // 6
      fence, // 7
      `${fence}typescript title="b.ts"`, // 8
      'const b = 2;', // 9
      fence, // 10
      `${fence}json`, // 11
      '{}', // 12
      fence, // 13
    ].join('\n');
    const blocks = extractCodeBlocks('README.md', text);
    expect(blocks.map((block) => [block.fenceLine, block.lines, block.mode, block.continues])).toEqual([
      [5, ['const a = 1;'], 'run', false],
      [8, ['const b = 2;'], 'run', false],
    ]);
  });

  it('removes the indentation of a fence inside a list item from its lines', () => {
    const blocks = extractCodeBlocks(
      'README.md',
      ['- item', `  ${fence}ts`, '  if (x) {', '    y();', '  }', `  ${fence}`].join('\n'),
    );
    expect(blocks[0]!.lines).toEqual(['if (x) {', '  y();', '}']);
  });

  it('reads the marker on the nearest non-blank line above a fence', () => {
    const text = [
      `${fence}ts`,
      'const a = 1;',
      fence,
      '<!-- example: continues -->',
      '',
      `${fence}ts`,
      'console.log(a);',
      fence,
      '<!-- example: typecheck-only: it runs in a browser page -->',
      `${fence}ts`,
      'location.host;',
      fence,
      '<!-- example: continues, typecheck-only: `peer` stands for a remote capability -->',
      `${fence}ts`,
      'peer;',
      fence,
    ].join('\n');
    expect(
      extractCodeBlocks('docs/a.md', text).map(({ mode, reason, continues }) => ({
        mode,
        reason,
        continues,
      })),
    ).toEqual([
      { mode: 'run', reason: undefined, continues: false },
      { mode: 'run', reason: undefined, continues: true },
      { mode: 'typecheck-only', reason: 'it runs in a browser page', continues: false },
      { mode: 'typecheck-only', reason: '`peer` stands for a remote capability', continues: true },
    ]);
  });

  it.each([
    [
      'an unknown marker',
      ['<!-- example: skip -->', `${fence}ts`, 'x;', fence],
      1,
      /expected "<!-- example: continues -->"/,
    ],
    [
      'typecheck-only without a reason',
      ['<!-- example: typecheck-only -->', `${fence}ts`, 'x;', fence],
      1,
      /typecheck-only: <why/,
    ],
    [
      'a marker above prose',
      ['<!-- example: continues -->', 'Some prose.', `${fence}ts`, 'x;', fence],
      1,
      /expected a TypeScript block after this marker/,
    ],
    [
      'a marker above another language',
      ['<!-- example: continues -->', `${fence}sh`, 'ls', fence],
      1,
      /expected a TypeScript block/,
    ],
    [
      'a marker at the end',
      [`${fence}ts`, 'x;', fence, '<!-- example: continues -->'],
      4,
      /expected a TypeScript block/,
    ],
    [
      'a first block that continues',
      ['<!-- example: continues -->', `${fence}ts`, 'x;', fence],
      2,
      /this is the first one/,
    ],
    ['a fence never closed', ['text', `${fence}ts`, 'x;'], 2, /expected the fence ``` to be closed/],
  ])('%s is an ExampleMarkupError naming the file and line', (_name, lines, line, message) => {
    expect(() => extractCodeBlocks('docs/a.md', lines.join('\n'))).toThrow(
      expect.objectContaining({
        name: 'ExampleMarkupError',
        markdownPath: 'docs/a.md',
        line,
        message: expect.stringMatching(message),
      }),
    );
  });
});
