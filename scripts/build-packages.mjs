#!/usr/bin/env node
// Builds every `packages/*` package (turbo run build, through the pinned pnpm so turbo finds its package
// manager) for the tests that use the built output: the README examples and the consumer test. Vitest runs
// their projects at the same time; two turbo builds on a cold cache would write the same dist files at once,
// and one test could read a file the other build is rewriting. So the build holds a lock file: the second
// caller waits, then finds everything cached (turbo leaves outputs that are in place untouched).
//
//   node scripts/build-packages.mjs
//
// The lock is `.turbo/build-packages.lock` holding the builder's pid; a lock whose process is gone is stale
// and taken over. Waiting and building are bounded (10 minutes each).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lockPath = join(root, '.turbo', 'build-packages.lock');
const limitMs = 10 * 60_000;

/** Whether a process with this pid exists (signal 0 sends nothing). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function acquireLock() {
  mkdirSync(join(root, '.turbo'), { recursive: true });
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      const descriptor = openSync(lockPath, 'wx');
      writeSync(descriptor, String(process.pid));
      closeSync(descriptor);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(lockPath, 'utf8'));
    } catch {
      continue; // released between our two calls
    }
    // An empty file is a lock being written: its holder is alive.
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      try {
        unlinkSync(lockPath);
      } catch {}
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `expected ${lockPath} (pid ${holder}) to be released within ${limitMs} ms, but it was not`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const args = ['--yes', manifest.packageManager, 'exec', 'turbo', 'run', 'build', '--filter=./packages/*'];
await acquireLock();
let result;
try {
  result = spawnSync(
    process.platform === 'win32' ? 'npx.cmd' : 'npx',
    [...args, '--output-logs=errors-only'],
    {
      cwd: root,
      stdio: 'inherit',
      timeout: limitMs,
    },
  );
} finally {
  unlinkSync(lockPath);
}
if (result.status !== 0) {
  const why =
    result.error?.message ?? (result.signal ? `ended by ${result.signal}` : `status ${result.status}`);
  console.error(`expected npx ${args.join(' ')} to build the packages, but it failed (${why})`);
  process.exit(1);
}
