#!/usr/bin/env node
// Bootstraps the pinned pnpm through npx (no global install, no corepack), installs the
// workspace from the lockfile, then runs `pnpm <args>`. This is what lets a fresh machine
// that has only Node and npm run `npm run demo` and `npm test`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const pnpm = manifest.packageManager; // "pnpm@<exact version>"
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(args) {
  const result = spawnSync(npx, ['--yes', pnpm, ...args], { stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(['install', '--frozen-lockfile', '--reporter=silent']);
run(process.argv.slice(2));
