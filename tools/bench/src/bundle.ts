/**
 * Bundles TypeScript modules to JavaScript for worker threads: on Node 20 the tsx loader does not reach
 * worker threads, so a module a worker runs must be JavaScript. `@msc/*` are bundled from the build this
 * process measures (`msc-build.ts`): the packages' sources under the tests, their `dist/` in a
 * measuring process, a baseline checkout's `dist/` in a baseline's measuring process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { mscResolution } from './msc-build.ts';

/**
 * Resolves every `@msc/*` import made outside `root` from `resolveFrom` (the baseline's `tools/bench`),
 * as the baseline's resolution hooks do in the measuring process (`baseline/baseline-resolve-hooks.mjs`).
 */
function fromBaseline(root: string, resolveFrom: string): Plugin {
  return {
    name: 'msc-baseline',
    setup(build) {
      build.onResolve({ filter: /^@msc\// }, (args) => {
        if (args.importer.startsWith(root) || args.pluginData === 'msc-baseline') return undefined;
        return build.resolve(args.path, {
          kind: args.kind,
          resolveDir: resolveFrom,
          pluginData: 'msc-baseline',
        });
      });
    },
  };
}

/** Modules bundled into a temporary directory. */
export interface Bundle {
  /** The `file:` URL of the bundled module named `name` (a key of the entries given to `bundle`). */
  url(name: string): URL;
  /** Deletes the directory. Idempotent. */
  remove(): Promise<void>;
}

/**
 * Bundles each entry (name → TypeScript module URL) into its own ES module in a fresh temporary
 * directory, dependencies included. Takes a few hundred milliseconds.
 *
 * @throws the esbuild error when a module does not compile or an import does not resolve (the
 *   directory is removed first)
 */
export async function bundle(entries: Readonly<Record<string, URL>>): Promise<Bundle> {
  const resolution = mscResolution();
  const directory = await mkdtemp(join(tmpdir(), 'msc-bench-'));
  try {
    await build({
      entryPoints: Object.fromEntries(
        Object.entries(entries).map(([name, url]) => [name, fileURLToPath(url)]),
      ),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: resolution.kind === 'sources' ? ['@msc/source'] : [],
      plugins: resolution.kind === 'baseline' ? [fromBaseline(resolution.root, resolution.resolveFrom)] : [],
      outdir: directory,
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
    });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    url(name) {
      if (!(name in entries))
        throw new Error(`expected one of ${Object.keys(entries).join(', ')}, got ${name}`);
      return pathToFileURL(join(directory, `${name}.mjs`));
    },
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
