/**
 * Runs pnpm in a checkout: the build of the workspace's packages before @msc is measured from their
 * `dist/`, and the install and build of a baseline checkout (`baseline/baseline-build.ts`).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How long one pnpm command may run before it is killed, in milliseconds. */
const commandTimeoutMilliseconds = 10 * 60_000;

/**
 * The command that runs the checkout's pinned pnpm: the pnpm running this script when there is one
 * (`pnpm bench` sets `npm_execpath`), else `npx --yes pnpm@<version>` from the root `packageManager`.
 */
function pnpmCommand(root: string): { command: string; args: string[] } {
  const running = process.env['npm_execpath'];
  if (running !== undefined && /pnpm/.test(running)) return { command: process.execPath, args: [running] };
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    packageManager?: string;
  };
  return { command: 'npx', args: ['--yes', manifest.packageManager ?? 'pnpm'] };
}

/**
 * Runs `pnpm <args>` in `root`, its output collected and printed only when it fails.
 *
 * @throws Error naming the command, its exit and the end of its output when it does not exit 0 (or runs
 *   past ten minutes)
 */
export function runPnpm(root: string, args: readonly string[]): Promise<void> {
  const { command, args: prefix } = pnpmCommand(root);
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: commandTimeoutMilliseconds,
      // A CI variable makes pnpm and turbo quieter and never interactive.
      env: { ...process.env, CI: process.env['CI'] ?? '1' },
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) =>
      reject(new Error(`expected to run pnpm ${args.join(' ')} in ${root}: ${error.message}`)),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `expected pnpm ${args.join(' ')} in ${root} to exit 0, it ended with ${signal ?? `exit code ${code}`}:\n${output}`,
          ),
        );
    });
  });
}

/**
 * Builds every package of the checkout at `root` (`pnpm run build`: rollup to each `dist/`, through
 * turbo's cache, so an unchanged package costs nothing).
 */
export function buildPackages(root: string): Promise<void> {
  return runPnpm(root, ['run', 'build']);
}
