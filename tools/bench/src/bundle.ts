/**
 * Bundles TypeScript modules to JavaScript for worker threads: on Node 20 the tsx loader does not reach
 * worker threads, so a module a worker runs must be JavaScript. Workspace packages are bundled from
 * their sources (the `@msc/source` condition), like the tests and the rest of the harness read them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

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
      conditions: ['@msc/source'],
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
