// The examples import the packages' built output, as users do, so the packages are built first. Turbo's cache
// makes this a few seconds when nothing changed; the pinned pnpm runs it (turbo asks for the package manager).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The longest a build may take before it fails (a cold build of every package on a loaded machine). */
const buildTimeoutMs = 10 * 60_000;

/**
 * Builds every `packages/*` package (rollup for `dist/*.js`, `tsc -b` for `dist/*.d.ts`), through turbo.
 *
 * @throws Error naming the command and its output when the build fails or runs out of time
 */
export function buildPackages(repositoryRoot: string): void {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
    packageManager: string;
  };
  const args = ['--yes', manifest.packageManager, 'exec', 'turbo', 'run', 'build', '--filter=./packages/*'];
  const result = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', args, {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: buildTimeoutMs,
  });
  if (result.status !== 0) {
    const why =
      result.error?.message ?? (result.signal ? `ended by ${result.signal}` : `status ${result.status}`);
    throw new Error(
      `expected npx ${args.join(' ')} to build the packages the examples import, but it failed (${why}):\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  }
}
