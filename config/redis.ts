// Shared by the vitest global setups (and demos) that need a real Redis: the lobby's cluster tests run
// Debian's redis-server 7 at /usr/bin/redis-server. CI machines start with only Node and npm, so when
// it is missing and we run as root, it is installed with apt (config/debian-package.ts: bounded in
// time, saying what it does). Otherwise this fails with a clear message: Redis tests never skip silently.
import { ensureDebianPackage } from './debian-package.ts';

/** Where Redis tests expect the server (Debian's `redis-server` package). */
export const redisServerPath = '/usr/bin/redis-server';

/**
 * Makes sure /usr/bin/redis-server exists, installing Debian's package when it is missing. The
 * package's own service is not started (nothing listens on 6379 because of this): tests start their
 * own servers on free ports.
 *
 * @param who - names the caller in what is printed
 * @throws Error when redis-server is missing and cannot be installed (not root, or apt failed)
 */
export function ensureRedisServer(who: string): void {
  ensureDebianPackage(who, {
    name: 'redis-server',
    programPath: redisServerPath,
    programName: 'redis-server',
    neededBy: 'the cluster tests',
    // Only the server and its tools (redis-tools), no extra services.
    installOptions: ['--no-install-recommends'],
  });
}
