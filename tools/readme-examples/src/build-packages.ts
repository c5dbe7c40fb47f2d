// The examples import the packages' built output, as users do, so the packages are built first, by the shared
// `scripts/build-packages.mjs` (turbo, cached: a few seconds when nothing changed; a lock keeps two tests from
// building at once).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Builds every `packages/*` package (rollup for `dist/*.js`, `tsc -b` for `dist/*.d.ts`).
 *
 * @throws Error naming the command and its output when the build fails
 */
export function buildPackages(repositoryRoot: string): void {
  const script = join(repositoryRoot, 'scripts', 'build-packages.mjs');
  const result = spawnSync(process.execPath, [script], { cwd: repositoryRoot, encoding: 'utf8' });
  if (result.status !== 0) {
    const why =
      result.error?.message ?? (result.signal ? `ended by ${result.signal}` : `status ${result.status}`);
    throw new Error(
      `expected node scripts/build-packages.mjs to build the packages the examples import, but it failed (${why}):\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  }
}
