// Shared by config/chromium.ts and config/redis.ts: tests that drive a real program take it from a
// Debian package. CI machines start with only Node and npm, so when the program is missing and we run
// as root, its package is installed with apt (`apt-get update` first: a fresh machine has no package
// lists; each step bounded in time and printed before it runs). Otherwise this fails with a message
// that names the command to run: such tests never skip silently.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A program that tests need and the Debian package that puts it in place. */
export interface DebianPackage {
  /** The package's name, as given to apt-get (`chromium`, `redis-server`). */
  readonly name: string;
  /** The program the package installs, checked before and after (`/usr/bin/chromium`). */
  readonly programPath: string;
  /** How messages call the program (`Chromium`, `redis-server`). */
  readonly programName: string;
  /** What needs it, as messages say it (`the browser tests`). */
  readonly neededBy: string;
  /** Options of `apt-get install` placed before the name, after `-y` (`--no-install-recommends`). */
  readonly installOptions?: readonly string[];
}

function run(who: string, command: string, args: string[], timeoutMs: number): void {
  console.log(`[${who}] running: ${command} ${args.join(' ')}`);
  execFileSync(command, args, {
    stdio: 'inherit',
    timeout: timeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/**
 * Makes sure `target.programPath` exists, installing Debian's `target.name` package when it is
 * missing: nothing runs when the program is already there; otherwise, as root, `apt-get update`
 * (5 minutes at most) then `apt-get install -y [installOptions] name` (10 minutes at most), with
 * `DEBIAN_FRONTEND=noninteractive`.
 *
 * @param who - names the caller in what is printed
 * @param target - the package and the program it must put in place
 * @throws Error when the program is missing and cannot be installed (not root, apt-get failed, or the
 *   package did not put the program in place); the message names what to run
 */
export function ensureDebianPackage(who: string, target: DebianPackage): void {
  const { name, programPath, programName, neededBy } = target;
  if (existsSync(programPath)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `expected ${programName} at ${programPath} for ${neededBy}, but it is missing and this is not root; ` +
        `install it with: sudo apt-get install -y ${name}`,
    );
  }
  console.log(`[${who}] ${programPath} is missing: installing Debian's ${name} package`);
  try {
    run(who, 'apt-get', ['update'], 5 * 60_000);
    run(who, 'apt-get', ['install', '-y', ...(target.installOptions ?? []), name], 10 * 60_000);
  } catch (error) {
    throw new Error(`expected apt-get to install ${name} for ${neededBy}, but it failed: ${String(error)}`);
  }
  if (!existsSync(programPath)) {
    throw new Error(`expected ${programPath} after installing ${name}, but it is still missing`);
  }
  console.log(`[${who}] installed ${programPath}`);
}
