/**
 * The baseline of `--baseline <git-ref>`: @msc as it was at another commit, built in a temporary git
 * worktree, so that one run measures the library before and after a change under the same load.
 *
 *   prepare: git worktree add --detach <os tmp>/msc-bench-baseline-XXXX <ref>
 *            pnpm install --frozen-lockfile --offline   (the shared store: no network)
 *            pnpm run build                             (rollup to each package's dist/)
 *   remove:  git worktree remove --force, then the folder is deleted and the worktree list pruned
 *
 * The checkout is detached and never committed to; `remove` runs however the run ends (the harness
 * calls it in a `finally`, and on SIGINT/SIGTERM).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildPackages, runPnpm } from '../package-build.ts';

const run = promisify(execFile);

/** A baseline checkout, installed and built. */
export interface BaselineBuild {
  /** The ref as given (`30e2494`, `main~3`, `HEAD`). */
  readonly ref: string;
  /** The full commit hash it named. */
  readonly commit: string;
  /** The abbreviated hash, used in row names (`@msc@30e2494`). */
  readonly shortCommit: string;
  /** Absolute path of the temporary worktree. */
  readonly root: string;
  /** Removes the worktree and its folder. Idempotent; never throws (a failure is printed). */
  remove(): Promise<void>;
}

/** Runs git in `cwd` and returns its trimmed output. */
async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return stdout.trim();
}

/**
 * Checks out `ref` of the repository at `repositoryRoot` into a temporary worktree, installs it from
 * the pnpm store without the network and builds its packages. Takes about a minute on a quiet machine
 * (the build goes through turbo's cache, shared between worktrees).
 *
 * @param onStep - called with a line before each step, for progress output
 * @param onCheckout - called with the worktree's removal just before the worktree is added, so that a
 *   caller interrupted during the install or build (SIGINT) can still remove it
 * @throws Error when the ref names no commit, or the install or build fails (the worktree is removed
 *   first); the message says which step and how to fix it
 */
export async function prepareBaseline(
  repositoryRoot: string,
  ref: string,
  onStep: (line: string) => void = () => {},
  onCheckout: (remove: () => Promise<void>) => void = () => {},
): Promise<BaselineBuild> {
  let commit: string;
  try {
    commit = await git(repositoryRoot, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(
      `expected --baseline to name a commit of this repository (a hash, branch or tag), got ${ref}`,
    );
  }
  const shortCommit = await git(repositoryRoot, ['rev-parse', '--short', commit]);
  const parent = await mkdtemp(join(tmpdir(), 'msc-bench-baseline-'));
  const root = join(parent, shortCommit);
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    try {
      await git(repositoryRoot, ['worktree', 'remove', '--force', root]);
    } catch (error) {
      console.error(`  baseline: git worktree remove ${root} failed (${String(error)}); deleting the folder`);
    }
    await rm(parent, { recursive: true, force: true });
    await git(repositoryRoot, ['worktree', 'prune']).catch(() => {});
  };
  try {
    onStep(`baseline ${ref} (${shortCommit}): checking out into ${root}`);
    onCheckout(remove);
    await git(repositoryRoot, ['worktree', 'add', '--detach', root, commit]);
    onStep(`baseline ${shortCommit}: pnpm install --frozen-lockfile --offline`);
    try {
      await runPnpm(root, ['install', '--frozen-lockfile', '--offline']);
    } catch (error) {
      throw new Error(
        `expected the baseline's dependencies to be in the pnpm store (the install is offline); run ` +
          `\`pnpm install\` once at ${ref} with the network, or pick a ref with the same dependencies. ` +
          (error instanceof Error ? error.message : String(error)),
      );
    }
    onStep(`baseline ${shortCommit}: pnpm run build`);
    await buildPackages(root);
  } catch (error) {
    await remove();
    throw error;
  }
  return { ref, commit, shortCommit, root, remove };
}
