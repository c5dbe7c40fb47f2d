// The release-shape rules on hand-made tarball listings: the consumer test's assertion is only as good as these.
import { describe, expect, test } from 'vitest';
import type { PackedPackage } from '../src/packed-package.ts';
import { releaseShapeProblems, supportedNode } from '../src/release-shape.ts';

const leanFiles: Array<[string, number]> = [
  ['package.json', 900],
  ['README.md', 2_000],
  ['CHANGELOG.md', 300],
  ['LICENSE', 1_000],
  ['dist/index.js', 10_000],
  ['dist/index.d.ts', 3_000],
  ['dist/streams/sequence.d.ts', 800],
];

const leanManifest = {
  name: '@msc/example',
  version: '0.1.0',
  description: 'An example.',
  keywords: ['msc'],
  license: 'MIT',
  repository: { type: 'git', url: 'git+https://example.invalid/msc.git', directory: 'packages/example' },
  engines: { node: supportedNode },
  type: 'module',
  sideEffects: false,
  exports: {
    '.': { types: './dist/index.d.ts', default: './dist/index.js' },
    './package.json': './package.json',
  },
  dependencies: { '@msc/transport': '^0.1.0' },
  scripts: { build: 'rollup -c', test: 'vitest run' },
};

function packed(
  files: Array<[string, number]>,
  manifest: Record<string, unknown>,
  workspaceExports: unknown = {
    '.': { '@msc/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
    './package.json': './package.json',
  },
): PackedPackage {
  return {
    name: '@msc/example',
    version: '0.1.0',
    folder: 'example',
    tarball: '/tmp/msc-example-0.1.0.tgz',
    packedBytes: 5_000,
    files: new Map(files),
    manifest: { ...leanManifest, ...manifest } as PackedPackage['manifest'],
    workspaceExports,
    parsed: undefined as unknown as PackedPackage['parsed'],
  };
}

describe('release shape', () => {
  test('a lean tarball with a complete manifest has no problem', () => {
    expect(releaseShapeProblems(packed(leanFiles, {}))).toEqual([]);
  });

  test('build info, test types, sources and maps are each named', () => {
    const problems = releaseShapeProblems(
      packed(
        [
          ...leanFiles,
          ['dist/.tsbuildinfo-src', 70_000],
          ['dist/.test-types/test/a.test.d.ts', 100],
          ['src/index.ts', 4_000],
          ['dist/index.js.map', 30_000],
        ],
        {},
      ),
    );
    expect(problems).toEqual([
      '@msc/example ships dist/.tsbuildinfo-src: build output a user never reads',
      '@msc/example ships dist/.test-types/test/a.test.d.ts: build output a user never reads',
      '@msc/example ships src/index.ts: sources are not published',
      '@msc/example ships dist/index.js.map: source maps are not published',
    ]);
  });

  test('a source condition, a missing export target, a workspace range and an install script are each named', () => {
    const problems = releaseShapeProblems(
      packed(
        leanFiles.filter(([file]) => file !== 'LICENSE'),
        {
          exports: {
            '.': { '@msc/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
            './kit': { types: './dist/kit.d.ts', default: './dist/kit.js' },
          },
          dependencies: { '@msc/transport': 'workspace:^' },
          scripts: { postinstall: 'node setup.js' },
        },
        {
          '.': { '@msc/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
          './kit': { types: './dist/kit.d.ts', default: './dist/kit.js' },
        },
      ),
    );
    // (The published exports also differ from the workspace's: the next test covers that sentence.)
    expect(problems.filter((problem) => !problem.includes(' publishes exports '))).toEqual([
      '@msc/example does not ship LICENSE',
      "@msc/example's published exports keep the @msc/source condition: publishConfig.exports must drop it",
      '@msc/example exports ./src/index.ts, which the tarball does not hold',
      '@msc/example exports ./dist/kit.d.ts, which the tarball does not hold',
      '@msc/example exports ./dist/kit.js, which the tarball does not hold',
      '@msc/example depends on @msc/transport@workspace:^, which no registry can resolve',
      '@msc/example has a "postinstall" script, which would run on every install',
    ]);
  });

  test('an entry of the workspace exports missing from publishConfig.exports is named', () => {
    const problems = releaseShapeProblems(
      packed(
        leanFiles,
        {},
        {
          '.': { '@msc/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
          './handler': {
            '@msc/source': './src/handler.ts',
            types: './dist/handler.d.ts',
            default: './dist/handler.js',
          },
          './package.json': './package.json',
        },
      ),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^@msc\/example publishes exports .* but its workspace exports without @msc\/source are .*"\.\/handler".*publishConfig\.exports must list every entry$/,
    );
  });

  test('missing metadata is each named', () => {
    const problems = releaseShapeProblems(
      packed(leanFiles, {
        repository: { type: 'git', url: 'git+https://example.invalid/msc.git' },
        engines: undefined,
        description: '',
        keywords: [],
        sideEffects: true,
      }),
    );
    expect(problems).toEqual([
      '@msc/example needs repository { type, url, directory: "packages/example" }',
      `@msc/example needs engines.node "${supportedNode}", got undefined`,
      '@msc/example needs a description',
      '@msc/example needs keywords',
      '@msc/example needs "sideEffects": false (or a list of its root entry alone)',
    ]);
  });

  test('sideEffects may list the root entry alone (an entry that installs an optional part), nothing else', () => {
    expect(
      releaseShapeProblems(packed(leanFiles, { sideEffects: ['./dist/index.js', './src/index.ts'] })),
    ).toEqual([]);
    expect(
      releaseShapeProblems(packed(leanFiles, { sideEffects: ['./dist/index.js', './dist/chunk.js'] })),
    ).toEqual(['@msc/example needs "sideEffects": false (or a list of its root entry alone)']);
  });
});
