/**
 * How big a page script is once a user bundles it for browsers: esbuild with `--bundle --minify
 * --format=esm --platform=browser` (what a page build does), then gzip at level 9, with the minified
 * bytes split per package and per module from esbuild's metafile.
 */

import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCallback, constants as zlib } from 'node:zlib';
import { build } from 'esbuild';
// @ts-expect-error: a plain JavaScript module of the repository's build config, without declarations
import { internalProperties, internalPropertyCache } from '../../../../config/internal-properties.js';

const gzip = promisify(gzipCallback);
/** The repository root: module paths in the breakdown are relative to it. */
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Minified bytes one input (a module, or every module of a package) leaves in the bundle. */
export interface SizePart {
  /** A package name (`cbor-x`, `@msc/session`), or a module path relative to the repository root. */
  name: string;
  /** Its bytes in the minified bundle (before gzip). */
  minifiedBytes: number;
}

/** The size of one bundled page script. */
export interface BundleSize {
  /** Which client (`@msc`, `capnweb`). */
  client: string;
  /** Bytes of the minified bundle. */
  minifiedBytes: number;
  /** Bytes of the minified bundle gzipped at level 9 (what a server sends compressed). */
  gzippedBytes: number;
  /** Minified bytes per package, largest first. */
  packages: SizePart[];
  /** Minified bytes per module, largest first. */
  modules: SizePart[];
}

/** How a bundle resolves workspace packages: their sources (tests) or their built `dist/` (the bench). */
export type SizeSource = 'sources' | 'builds';

/** The package a module (a path as `measureBundle` shortens it) belongs to: `@msc/<folder>` in the workspace, else the installed package. */
function packageOf(path: string): string {
  const workspace = /^(?:packages|apps|tools)\/([^/]+)\//.exec(path);
  if (workspace !== null) return `@msc/${workspace[1]}`;
  const installed = /^(?:@[^/]+\/)?[^/]+/.exec(path);
  return installed === null ? path : installed[0];
}

/** Sums `parts` by name, largest first. */
function largestFirst(parts: Iterable<SizePart>): SizePart[] {
  const totals = new Map<string, number>();
  for (const part of parts) totals.set(part.name, (totals.get(part.name) ?? 0) + part.minifiedBytes);
  return [...totals]
    .map(([name, minifiedBytes]) => ({ name, minifiedBytes }))
    .sort((left, right) => right.minifiedBytes - left.minifiedBytes);
}

/**
 * Bundles the module at `entry` for browsers, minified, in memory, and measures it.
 *
 * @param client the name the result carries
 * @param entry the page script
 * @param source `sources` reads the `@msc/*` packages' sources (the `@msc/source` condition, no build
 *   needed; with internal property names shortened as the package builds do, the minified output is the
 *   same code as their `dist/` up to local names), `builds` their `dist/`
 * @throws the esbuild error when the script does not bundle
 */
export async function measureBundle(client: string, entry: URL, source: SizeSource): Promise<BundleSize> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: source === 'sources' ? ['@msc/source'] : [],
    // As every package's build does (config/rollup.shared.js), so sources measure as their dist/ would.
    mangleProps: internalProperties,
    mangleCache: internalPropertyCache(),
    metafile: true,
    write: false,
    outfile: 'page.js',
    absWorkingDir: repositoryRoot,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const gzipped = await gzip(code, { level: zlib.Z_BEST_COMPRESSION });
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs).map(([path, input]) => ({
    // `node_modules/.pnpm/cbor-x@1.6.9/node_modules/cbor-x/decode.js` → `cbor-x/decode.js`.
    path: path.replace(/^.*node_modules\//, ''),
    minifiedBytes: input.bytesInOutput,
  }));
  const entryPath = relative(repositoryRoot, fileURLToPath(entry));
  return {
    client,
    minifiedBytes: code.length,
    gzippedBytes: gzipped.length,
    packages: largestFirst(
      inputs.map((input) => ({
        name: input.path === entryPath ? 'page script' : packageOf(input.path),
        minifiedBytes: input.minifiedBytes,
      })),
    ),
    modules: largestFirst(inputs.map((input) => ({ name: input.path, minifiedBytes: input.minifiedBytes }))),
  };
}
