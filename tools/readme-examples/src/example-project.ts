// The project the examples are compiled in, laid out as a user's would be: a folder outside the workspace with
// `"type": "module"`, a strict NodeNext tsconfig, and `@msc/*` found by package name in its node_modules. The
// packages are linked, not packed (packing and installing with npm is the consumer test's job), so what an
// example imports is each package's published face: its exports map without the `@msc/source` condition, the
// built `dist/*.js` and `dist/*.d.ts`. Each example gets a folder of its own under `examples/`.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Example, ExampleFile } from './examples.ts';

/**
 * The compiler options of a user's project: TypeScript 5.9's `tsc --init` (strict, NodeNext,
 * `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`, `verbatimModuleSyntax`, `skipLibCheck`) with a target
 * that Node 20 runs (`es2022`: TypeScript lowers `using` / `await using`, which Node runs natively only from 24
 * on) and Node's types. `skipLibCheck` saves two thirds of the check (Node's and the DOM's declarations); the
 * published declarations are still checked wherever an example uses them, and `libCheck` checks them whole.
 */
export const userCompilerOptions = {
  target: 'es2022',
  module: 'nodenext',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  sourceMap: true,
  types: ['node'],
} as const;

/** Where one file of one example was written. */
export interface WrittenFile {
  readonly example: Example;
  readonly file: ExampleFile;
}

/** A written project: its folder, its tsconfig and, for every example file written, what it holds. */
export interface ExampleProject {
  /** The project folder (a fresh temporary folder unless one was given). */
  readonly root: string;
  /** The project's tsconfig.json. */
  readonly tsconfigPath: string;
  /** Every example file, by absolute path. */
  readonly files: ReadonlyMap<string, WrittenFile>;
  /** The folder of one example. */
  folderOf(example: Example): string;
  /** Removes the folder (a no-op for a folder that was given). */
  remove(): void;
}

/**
 * Registry packages an example may import (a package's peer dependency and what its example sets up
 * with it): the `@msc/opentelemetry` example makes spans with the OpenTelemetry SDK.
 */
const registryPackages = ['@opentelemetry/api', '@opentelemetry/sdk-trace-base'];

/**
 * Links every `packages/*` of the workspace into `node_modules` under its package name, the
 * {@link registryPackages} and Node's types.
 */
function linkDependencies(repositoryRoot: string, projectRoot: string): void {
  const packagesFolder = join(repositoryRoot, 'packages');
  for (const entry of readdirSync(packagesFolder, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = join(packagesFolder, entry.name);
    let name: string;
    try {
      name = (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name: string }).name;
    } catch {
      continue; // not a package
    }
    const link = join(projectRoot, 'node_modules', ...name.split('/'));
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(folder, link, 'dir');
  }
  const require = createRequire(import.meta.url);
  // The registry packages examples import beside @msc's (this tool's own dependencies).
  for (const name of registryPackages) {
    const link = join(projectRoot, 'node_modules', ...name.split('/'));
    mkdirSync(dirname(link), { recursive: true });
    // Found in this tool's own node_modules (their exports maps hide `package.json` from resolve()).
    symlinkSync(
      realpathSync(fileURLToPath(new URL(`../node_modules/${name}`, import.meta.url))),
      link,
      'dir',
    );
  }
  const nodeTypes = dirname(require.resolve('@types/node/package.json'));
  mkdirSync(join(projectRoot, 'node_modules', '@types'), { recursive: true });
  symlinkSync(nodeTypes, join(projectRoot, 'node_modules', '@types', 'node'), 'dir');
}

/**
 * Writes the examples into a project.
 *
 * @param repositoryRoot - the workspace, whose `packages/*` are linked
 * @param examples - the examples to write
 * @param folder - an empty folder to write into; default a fresh temporary folder, removed by `remove()`
 * @param options - `libCheck`: check every declaration file too (`skipLibCheck: false`)
 */
export function writeExampleProject(
  repositoryRoot: string,
  examples: readonly Example[],
  folder?: string,
  options: { libCheck?: boolean } = {},
): ExampleProject {
  const root = folder ?? mkdtempSync(join(tmpdir(), 'msc-readme-examples-'));
  mkdirSync(root, { recursive: true });
  writeFileSync(
    join(root, 'package.json'),
    `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`,
  );
  const tsconfigPath = join(root, 'tsconfig.json');
  writeFileSync(
    tsconfigPath,
    `${JSON.stringify({ compilerOptions: { ...userCompilerOptions, skipLibCheck: !options.libCheck }, include: ['examples'] }, null, 2)}\n`,
  );
  linkDependencies(repositoryRoot, root);
  const files = new Map<string, WrittenFile>();
  const folderOf = (example: Example): string => join(root, 'examples', example.id);
  for (const example of examples) {
    mkdirSync(folderOf(example), { recursive: true });
    for (const file of example.files) {
      const path = join(folderOf(example), file.name);
      writeFileSync(path, `${file.lines.join('\n')}\n`);
      files.set(path, { example, file });
    }
  }
  return {
    root,
    tsconfigPath,
    files,
    folderOf,
    remove: () => {
      if (folder === undefined) rmSync(root, { recursive: true, force: true });
    },
  };
}
