import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultRow } from '../src/result-row.ts';

const benchRoot = fileURLToPath(new URL('../', import.meta.url));
const outputFolder = mkdtempSync(join(tmpdir(), 'msc-bench-'));

afterAll(() => rmSync(outputFolder, { recursive: true, force: true }));

/** Runs the harness (`src/main.ts`) with `options` in a child process and returns what it did. */
function harness(options: readonly string[], timeout = 18_000) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...options], {
    cwd: benchRoot,
    encoding: 'utf8',
    timeout,
  });
}

describe('the harness process', () => {
  it('measures each adapter in a child process, prints the table and writes the JSON report', () => {
    const out = join(outputFolder, 'report.json');
    const result = harness(['--smoke', '--only', 'floor/memory,codec/json', '--out', out]);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('W1 latency');
    expect(result.stdout).toMatch(/memory\s+floor: MessageChannel/);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { profile: string; rows: ResultRow[] };
    expect(report.profile).toBe('smoke');
    const libraries = new Set(report.rows.map((row) => row.library));
    expect([...libraries].sort()).toEqual(['JSON', 'floor: MessageChannel']);
    for (const row of report.rows) {
      expect(Object.keys(row)).toEqual(
        expect.arrayContaining(['workload', 'library', 'transport', 'unit', 'median', 'min', 'max', 'runs']),
      );
    }
  });

  it('--workloads keeps only the named workloads, each timed row with a CPU-time twin of its runs', () => {
    const out = join(outputFolder, 'workloads.json');
    const result = harness(['--smoke', '--only', 'floor/memory', '--workloads', 'W1,W5', '--out', out]);

    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { rows: ResultRow[] };
    expect(report.rows.map((row) => row.workload).sort()).toEqual(['W1', 'W5']);
    const latency = report.rows.find((row) => row.workload === 'W1')!;
    expect(latency.cpuRuns).toHaveLength(latency.runs.length);
    expect(latency.cpuMedian).toBeGreaterThan(0);
    // Memory is not a time: no CPU twin.
    expect(report.rows.find((row) => row.workload === 'W5')!.cpuRuns).toBeUndefined();
  });

  it('--rounds without a baseline measures every adapter once per round, rotated, and merges the runs', () => {
    const out = join(outputFolder, 'rounds.json');
    const result = harness(
      ['--smoke', '--only', 'floor/memory,codec/json', '--workloads', 'W1', '--rounds', '2', '--out', out],
      30_000,
    );

    expect(result.status, result.stderr).toBe(0);
    // Round 2 starts where round 1 left off: the order is rotated by one place.
    const order = [...result.stdout.matchAll(/^ {2}(\S+): \d+ cells/gm)].map((match) => match[1]);
    expect(order).toEqual(['floor/memory', 'codec/json', 'codec/json', 'floor/memory']);
    // One lockstep group at a time: the codec's child starts once the memory group's has exited.
    const events = [...result.stdout.matchAll(/^ {2}(group [a-z]+|\S+: \d+ cells)/gm)].map(
      (match) => match[1],
    );
    expect(events).toEqual([
      'group memory',
      'floor/memory: 1 cells',
      'group codec',
      'codec/json: 1 cells',
      'group codec',
      'codec/json: 1 cells',
      'group memory',
      'floor/memory: 1 cells',
    ]);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { rows: ResultRow[] };
    expect(report.rows).toHaveLength(2);
    for (const row of report.rows) expect(row.runs).toHaveLength(2); // one run per round (smoke)
  });

  it('--runs sets the runs each child measures per cell in each round', () => {
    const out = join(outputFolder, 'runs.json');
    const options = '--smoke --only floor/memory --workloads W1,W5 --rounds 2 --runs 3'.split(' ');
    const result = harness([...options, '--out', out], 30_000);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('3 runs per cell per round, workloads W1, W5, in 2 rounds');
    const report = JSON.parse(readFileSync(out, 'utf8')) as { rows: ResultRow[] };
    expect(report.rows.map((row) => row.runs.length)).toEqual([6, 6]);
  });

  it('refuses a run count that is not a whole number from 1 to 100, before measuring anything', () => {
    const result = harness(['--smoke', '--only', 'floor/memory', '--runs', '0']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('expected --runs to be a whole number from 1 to 100, got 0');
  });

  it('refuses an unknown workload id and names the known ones, before measuring anything', () => {
    const result = harness(['--smoke', '--only', 'floor/memory', '--workloads', 'W1,W9']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('expected --workloads to list workload ids among W1, W2, W3');
    expect(result.stderr).toContain('got W1,W9');
  });

  it('--help prints the options and exits 0; an unknown option prints its name and the usage and exits 2', () => {
    const help = harness(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--baseline <ref>');
    expect(help.stdout).toContain('W1, W2, W3');
    const wrong = harness(['--qiuck']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("Unknown option '--qiuck'");
    expect(wrong.stderr).toContain('Usage: pnpm bench');
    expect(wrong.stderr).not.toContain('    at ');
  });
});
