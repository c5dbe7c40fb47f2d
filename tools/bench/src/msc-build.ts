/**
 * Which build of @msc this process measures. Three answers:
 *
 * - `sources` (the default): `@msc/*` resolve however the process was started. Under vitest that is
 *   the packages' sources (the `@msc/source` condition), so the smoke tests need no build.
 * - `built`: the measuring child processes (`measure-process.ts`) start without the `@msc/source`
 *   condition, so `@msc/*` resolve to the workspace's rollup output (`packages/<name>/dist/`), as peer
 *   libraries resolve to their published builds. Sources through tsx would be a different program:
 *   tsx compiles with esbuild's `keepNames`, which adds a call per named function and class and
 *   inflates memory figures.
 * - `baseline`: like `built`, but from the packages of a baseline checkout (`--baseline <ref>`, see
 *   `baseline/baseline-build.ts`). `useBaselineBuild` installs module resolution hooks that send every
 *   `@msc/*` import made outside that checkout to it; imports inside it (one baseline package
 *   importing another) resolve there already.
 *
 * Worker threads do not inherit the hooks: `bundle.ts` asks `mscResolution()` and bundles the worker's
 * modules from the same build.
 */
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where `@msc/*` imports go in this process. */
export type MscResolution =
  | { readonly kind: 'sources' }
  | { readonly kind: 'built' }
  | {
      readonly kind: 'baseline';
      /** Absolute path of the baseline checkout. */
      readonly root: string;
      /** The folder whose `node_modules` the baseline's `@msc/*` are resolved from. */
      readonly resolveFrom: string;
    };

let resolution: MscResolution = { kind: 'sources' };

/** Where `@msc/*` imports go in this process. */
export function mscResolution(): MscResolution {
  return resolution;
}

/** Records that this process runs the workspace's built packages (it was started without `@msc/source`). */
export function useWorkspaceBuild(): void {
  resolution = { kind: 'built' };
}

/**
 * Makes every later `@msc/*` import made outside `root` load the baseline checkout's built packages,
 * as its own `tools/bench` would import them. Call before any adapter is loaded.
 *
 * @param root - absolute path of a checkout whose packages are installed and built
 */
export function useBaselineBuild(root: string): void {
  const resolveFrom = join(root, 'tools', 'bench');
  register(new URL('./baseline/baseline-resolve-hooks.mjs', import.meta.url), {
    data: {
      root: pathToFileURL(`${root}/`).href,
      parent: pathToFileURL(join(resolveFrom, 'package.json')).href,
    },
  });
  resolution = { kind: 'baseline', root, resolveFrom };
}
