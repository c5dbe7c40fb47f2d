// Shared by the vitest global setups (and demos) that need a real Redis: the lobby's cluster tests run
// Debian's redis-server 7 at /usr/bin/redis-server. CI machines start with only Node and npm, so when
// it is missing and we run as root, it is installed with apt (bounded in time, saying what it does).
// Otherwise this fails with a clear message: Redis tests never skip silently.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Redis tests expect the server (Debian's `redis-server` package). */
export const redisServerPath = '/usr/bin/redis-server';

function run(who: string, command: string, args: string[], timeoutMs: number): void {
  console.log(`[${who}] running: ${command} ${args.join(' ')}`);
  execFileSync(command, args, {
    stdio: 'inherit',
    timeout: timeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/**
 * Makes sure /usr/bin/redis-server exists, installing Debian's package when it is missing. The
 * package's own service is not started (nothing listens on 6379 because of this): tests start their
 * own servers on free ports.
 *
 * @param who - names the caller in what is printed
 * @throws Error when redis-server is missing and cannot be installed (not root, or apt failed)
 */
export function ensureRedisServer(who: string): void {
  if (existsSync(redisServerPath)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `expected redis-server at ${redisServerPath} for the cluster tests, but it is missing and this is not root; ` +
        'install it with: sudo apt-get install -y redis-server',
    );
  }
  console.log(`[${who}] ${redisServerPath} is missing: installing Debian's redis-server package`);
  try {
    run(who, 'apt-get', ['update'], 5 * 60_000);
    // --no-install-recommends: only the server and its tools (redis-tools), no extra services.
    run(who, 'apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], 10 * 60_000);
  } catch (error) {
    throw new Error(
      `expected apt-get to install redis-server for the cluster tests, but it failed: ${String(error)}`,
    );
  }
  if (!existsSync(redisServerPath)) {
    throw new Error(`expected ${redisServerPath} after installing redis-server, but it is still missing`);
  }
  console.log(`[${who}] installed ${redisServerPath}`);
}
