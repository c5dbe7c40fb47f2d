import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultRow } from '../src/result-row.ts';

const benchRoot = fileURLToPath(new URL('../', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const outputFolder = mkdtempSync(join(tmpdir(), 'msc-bench-test-'));

afterAll(() => rmSync(outputFolder, { recursive: true, force: true }));

/** The worktrees git knows of, by path. */
function worktrees(): string[] {
  return execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: repositoryRoot, encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

describe('a before/after run (--baseline)', () => {
  // Builds the workspace (turbo's cache makes a repeat cheap), checks HEAD out into a temporary
  // worktree, installs it offline and builds it, then measures two tiny @msc rows in 1 round.
  it('measures @msc and @msc@<HEAD> from their builds side by side, with an after ÷ before column, and removes the worktree', () => {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repositoryRoot,
      encoding: 'utf8',
    }).trim();
    const out = join(outputFolder, 'baseline.json');
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/main.ts',
        '--smoke',
        '--only',
        '@msc/memory',
        '--baseline',
        'HEAD',
        '--out',
        out,
      ],
      { cwd: benchRoot, encoding: 'utf8', timeout: 280_000 },
    );

    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('×before');
    expect(result.stdout).toMatch(new RegExp(`memory\\s+@msc@${head}\\s`));
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      baseline: { ref: string; commit: string } | null;
      mscBuilds: Record<string, string>;
      rows: ResultRow[];
    };
    expect(report.baseline?.ref).toBe('HEAD');
    expect(report.baseline?.commit.startsWith(head)).toBe(true);

    // Both rows ran from rollup output: the workspace's, and the temporary checkout's.
    const current = report.mscBuilds['@msc/memory'];
    const baseline = report.mscBuilds[`@msc@${head}/memory`];
    expect(current).toBe(join(repositoryRoot, 'packages', 'session', 'dist', 'index.js'));
    expect(baseline?.startsWith(join(tmpdir(), 'msc-bench-baseline-'))).toBe(true);
    expect(baseline?.endsWith(join(sep, 'packages', 'session', 'dist', 'index.js'))).toBe(true);

    // One @msc row and one baseline row per workload; the @msc row carries the ratio.
    for (const workload of ['W1', 'W2', 'W3', 'W3d', 'W4b', 'W4o', 'S1', 'S2']) {
      const cell = report.rows.filter((row) => row.workload === workload);
      expect(cell.map((row) => row.library).sort(), workload).toEqual(['@msc', `@msc@${head}`]);
      const after = cell.find((row) => row.library === '@msc')!;
      const baselineRow = cell.find((row) => row.library !== '@msc')!;
      expect(baselineRow.baselineOf).toBe('@msc');
      expect(after.ratioToBaseline).toBeCloseTo(
        after.better === 'lower' ? after.median! / baselineRow.median! : baselineRow.median! / after.median!,
      );
    }

    // The temporary worktree is gone, from git's list and from the disk (other worktrees may come and
    // go meanwhile: only this one is checked).
    const checkout = baseline!.split(`${sep}packages${sep}`)[0]!;
    expect(worktrees()).not.toContain(checkout);
    expect(existsSync(checkout)).toBe(false);
  }, 300_000);

  it('refuses a ref that names no commit, before building anything', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/main.ts',
        '--smoke',
        '--only',
        '@msc/memory',
        '--baseline',
        'no-such-ref-4f1c',
      ],
      { cwd: benchRoot, encoding: 'utf8', timeout: 18_000 },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('expected --baseline to name a commit of this repository');
    expect(result.stdout).not.toContain('building');
  });

  it('refuses a selection without @msc rows, since there would be nothing to compare', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--smoke', '--only', 'codec/json', '--baseline', 'HEAD'],
      { cwd: benchRoot, encoding: 'utf8', timeout: 18_000 },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('expected --only to keep at least one @msc entry for --baseline');
  });
});
