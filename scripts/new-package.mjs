#!/usr/bin/env node
// Creates packages/<name> with the standard file set (see CONTRIBUTING.md):
//   node scripts/new-package.mjs <name> "<one-line description>" [@msc/dependency ...]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const [name, description, ...dependencies] = parseArgs({ allowPositionals: true }).positionals;
if (!name || !/^[a-z][a-z0-9-]*$/.test(name) || !description) {
  console.error('usage: node scripts/new-package.mjs <kebab-name> "<description>" [@msc/dependency ...]');
  process.exit(2);
}
const root = new URL(`../packages/${name}/`, import.meta.url);
if (existsSync(root)) {
  console.error(`packages/${name} exists already`);
  process.exit(2);
}
mkdirSync(new URL('src/', root), { recursive: true });
mkdirSync(new URL('test/', root), { recursive: true });
const packageName = `@msc/${name}`;
const write = (path, text) => writeFileSync(new URL(path, root), text);
const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
// The repository and the supported Node come from the root manifest, so every package says the same.
const rootManifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

write(
  'package.json',
  json({
    name: packageName,
    version: '0.0.0',
    description,
    keywords: ['msc', 'capabilities', 'rpc'],
    license: 'MIT',
    repository: { ...rootManifest.repository, directory: `packages/${name}` },
    engines: rootManifest.engines,
    type: 'module',
    sideEffects: false,
    // Only what a user needs: built JavaScript and declarations (no build info, test types or maps).
    files: ['dist', '!dist/.*', '!dist/**/*.map', 'README.md', 'CHANGELOG.md'],
    exports: {
      '.': { '@msc/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    scripts: {
      build: 'rollup -c && tsc -b tsconfig.src.json',
      typecheck: 'tsc -b',
      test: 'vitest run',
      bench: 'vitest bench --run',
    },
    dependencies: Object.fromEntries(dependencies.map((dependency) => [dependency, 'workspace:^'])),
    // The published manifest drops the @msc/source condition (sources are not published).
    publishConfig: {
      access: 'public',
      exports: {
        '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        './package.json': './package.json',
      },
    },
  }),
);
write(
  'tsconfig.json',
  json({ files: [], references: [{ path: './tsconfig.src.json' }, { path: './tsconfig.test.json' }] }),
);
const references = dependencies.map((dependency) => ({
  path: `../${dependency.replace('@msc/', '')}/tsconfig.src.json`,
}));
write(
  'tsconfig.src.json',
  json({
    extends: '../../tsconfig.base.json',
    compilerOptions: { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/.tsbuildinfo-src' },
    include: ['src'],
    references,
  }),
);
write(
  'tsconfig.test.json',
  json({
    extends: '../../tsconfig.base.json',
    compilerOptions: {
      // The root: the tests import shared helpers from config/ (every package's options test does).
      rootDir: '../..',
      outDir: 'dist/.test-types',
      rewriteRelativeImportExtensions: false,
      tsBuildInfoFile: 'dist/.tsbuildinfo-test',
    },
    include: ['test', 'bench', '../../config/options-accept-undefined.ts'],
    references: [{ path: './tsconfig.src.json' }, ...references],
  }),
);
write(
  'rollup.config.js',
  "import { packageBundle } from '../../config/rollup.shared.js';\n\nexport default packageBundle();\n",
);
write(
  'vitest.config.ts',
  "import { defineProject } from 'vitest/config';\nimport { packageProject } from '../../config/vitest.shared.ts';\n\nexport default defineProject(packageProject(import.meta.url));\n",
);
write('README.md', `# ${packageName}\n\n${description}\n`);
write('CHANGELOG.md', `# ${packageName}\n`);
write(
  'src/index.ts',
  `/**\n * ${packageName}: ${description}\n *\n * @packageDocumentation\n */\n\nexport {};\n`,
);
console.log(`created packages/${name}; now run: npx pnpm install`);

// Register the package in the root solution so `tsc -b` at the root checks it.
const solutionUrl = new URL('../tsconfig.json', import.meta.url);
const solution = JSON.parse(readFileSync(solutionUrl, 'utf8'));
solution.references.push({ path: `packages/${name}` });
writeFileSync(solutionUrl, `${JSON.stringify(solution, null, 2)}\n`);
