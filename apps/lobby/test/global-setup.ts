// Vitest global setup of @msc/lobby: the browser test drives Debian's Chromium at /usr/bin/chromium.
// When it is missing and we run as root, install it with apt (bounded in time, saying what it does);
// otherwise fail with a clear message. The browser test never skips silently.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where the browser test expects Chromium (Debian's `chromium` package). */
export const chromiumPath = '/usr/bin/chromium';

function run(command: string, args: string[], timeoutMs: number): void {
  console.log(`[lobby global setup] running: ${command} ${args.join(' ')}`);
  execFileSync(command, args, {
    stdio: 'inherit',
    timeout: timeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export default function setup(): void {
  if (existsSync(chromiumPath)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `expected Chromium at ${chromiumPath} for the lobby's browser test, but it is missing and this is not root; install it with: sudo apt-get install -y chromium`,
    );
  }
  console.log(`[lobby global setup] ${chromiumPath} is missing: installing Debian's chromium package`);
  try {
    run('apt-get', ['update'], 5 * 60_000);
    run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], 10 * 60_000);
  } catch (error) {
    throw new Error(
      `expected apt-get to install chromium for the lobby's browser test, but it failed: ${String(error)}`,
    );
  }
  if (!existsSync(chromiumPath))
    throw new Error(`expected ${chromiumPath} after installing chromium, but it is still missing`);
}
