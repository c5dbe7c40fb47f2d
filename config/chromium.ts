// Shared by the vitest global setups of the packages with browser tests: they drive Debian's
// Chromium at /usr/bin/chromium. CI machines start with only Node and npm, so when Chromium is
// missing and we run as root, it is installed with apt (bounded in time, saying what it does).
// Otherwise this fails with a clear message: browser tests never skip silently.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where browser tests expect Chromium (Debian's `chromium` package). */
export const chromiumPath = '/usr/bin/chromium';

/** The flags every browser test launches Chromium with (this machine's network is closed). */
export const chromiumFlags: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function run(who: string, command: string, args: string[], timeoutMs: number): void {
  console.log(`[${who}] running: ${command} ${args.join(' ')}`);
  execFileSync(command, args, {
    stdio: 'inherit',
    timeout: timeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/**
 * Makes sure /usr/bin/chromium exists, installing Debian's package when it is missing.
 *
 * @param who - names the caller in what is printed
 * @throws Error when Chromium is missing and cannot be installed (not root, or apt failed)
 */
export function ensureChromium(who: string): void {
  if (existsSync(chromiumPath)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `expected Chromium at ${chromiumPath} for the browser tests, but it is missing and this is not root; ` +
        'install it with: sudo apt-get install -y chromium',
    );
  }
  console.log(`[${who}] ${chromiumPath} is missing: installing Debian's chromium package`);
  try {
    run(who, 'apt-get', ['update'], 5 * 60_000);
    // With its recommended packages (fonts among them), as a person installing it would.
    run(who, 'apt-get', ['install', '-y', 'chromium'], 10 * 60_000);
  } catch (error) {
    throw new Error(
      `expected apt-get to install chromium for the browser tests, but it failed: ${String(error)}`,
    );
  }
  if (!existsSync(chromiumPath)) {
    throw new Error(`expected ${chromiumPath} after installing chromium, but it is still missing`);
  }
  console.log(`[${who}] installed ${chromiumPath}`);
}
