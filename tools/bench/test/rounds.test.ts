import { describe, expect, it } from 'vitest';
import { baselineEntry, lockstepGroup, registry } from '../src/adapters/registry.ts';
import { addRatios, formatTable } from '../src/report.ts';
import type { ResultRow } from '../src/result-row.ts';
import { mergeRounds, rotated, roundOrder, splitByGroup } from '../src/rounds.ts';

function row(library: string, runs: number[], note?: string, cpuMedian?: number): ResultRow {
  return {
    workload: 'W1',
    title: 'W1 latency',
    library,
    transport: 'memory',
    kind: 'subject',
    unit: 'µs/call',
    better: 'lower',
    median: runs[0] ?? null,
    min: runs[0] ?? null,
    max: runs[0] ?? null,
    runs,
    ...(note === undefined ? {} : { note }),
    ...(cpuMedian === undefined ? {} : { cpuRuns: [cpuMedian], cpuMedian }),
  };
}

/** A baseline twin's row: `@msc@abc`, the baseline of `@msc`. */
function before(runs: number[], cpuMedian?: number): ResultRow {
  return { ...row('@msc@abc', runs, undefined, cpuMedian), baselineOf: '@msc' };
}

describe('rounds of a before/after run', () => {
  it('each round starts one adapter later, so no adapter always runs first', () => {
    const order = ['a', 'b', 'c'];
    expect([0, 1, 2, 3].map((round) => rotated(order, round).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
    expect(rotated([], 2)).toEqual([]);
  });

  it('a cell a round has no row from (its child failed) says so, so its runs are not paired run by run', () => {
    const merged = mergeRounds([[row('@msc', [3]), row('birpc', [4])], [row('@msc', [5])]]);
    expect(merged.find((cell) => cell.library === '@msc')!.missedRounds).toBeUndefined();
    expect(merged.find((cell) => cell.library === 'birpc')!.missedRounds).toBe(1);
  });

  it('the runs of every round make one row per cell, summarised again', () => {
    const merged = mergeRounds([
      [row('@msc', [3]), row('@msc@abc', [5])],
      [row('@msc@abc', [1]), row('@msc', [9])],
    ]);
    expect(merged.map((cell) => [cell.library, cell.runs, cell.median, cell.min, cell.max])).toEqual([
      ['@msc', [3, 9], 6, 3, 9],
      ['@msc@abc', [5, 1], 3, 1, 5],
    ]);
  });

  it('a cell that failed in any round has no values and keeps the error', () => {
    const merged = mergeRounds([[row('@msc', [3])], [row('@msc', [], 'error: boom')]]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ median: null, runs: [], note: 'error: boom' });
  });

  it('an entry and its baseline twin run back to back, the twin second in even rounds and first in odd ones', () => {
    const groups = [['a', "a'"], ['b', "b'"], ['floor']];
    expect([0, 1, 2, 3].map((round) => roundOrder(groups, round).join(' '))).toEqual([
      "a a' b b' floor",
      "b' b floor a' a",
      "floor a a' b b'",
      "a' a b' b floor",
    ]);
  });

  it('after ÷ before is the median of the ratios of each round, where a busy round moves both rows alike', () => {
    // Round 2 ran on a busy machine: both rows doubled. Each round's ratio is 1.0, 1.1 or 1.1 whatever
    // the load, and the report takes their median.
    const rounds = [
      [row('@msc', [10], undefined, 8), before([10], 8)],
      [before([20], 8.4), row('@msc', [22], undefined, 8.4)],
      [row('@msc', [11], undefined, 8.8), before([10], 8)],
    ];
    const merged = addRatios(mergeRounds(rounds));
    const after = merged.find((cell) => cell.library === '@msc')!;
    expect(after.baselineRatios).toEqual([1, 1.1, 1.1]);
    expect(after.ratioToBaseline).toBeCloseTo(1.1);
    expect(after.cpuBaselineRatios).toEqual([1, 1, 1.1]);
    expect(after.cpuRatioToBaseline).toBeCloseTo(1);
    expect(merged.find((cell) => cell.library === '@msc@abc')!.baselineRatios).toBeUndefined();
    const table = formatTable(merged);
    expect(table).toMatch(/×before\s+rounds\s+cpu×before/);
    expect(table).toMatch(/@msc\s.*1\.10×\s+1\.00–1\.10\s+1\.00×/);
  });

  it('a round in which the baseline row failed adds no ratio to its pair', () => {
    const rounds = [
      [row('@msc', [10]), before([10])],
      [row('@msc', [12]), { ...before([]), median: null, note: 'error: boom' }],
    ];
    const merged = mergeRounds(rounds);
    expect(merged.find((cell) => cell.library === '@msc')!.baselineRatios).toEqual([1]);
  });
});

describe('lockstep groups', () => {
  it('splits a round by group, the groups in the order of their first member, members in order', () => {
    const order = ['a/tcp', 'b/memory', 'c/tcp', 'd/worker', 'e/memory'];
    const groupOf = (key: string) => key.slice(key.indexOf('/') + 1);
    expect(splitByGroup(order, groupOf)).toEqual([
      ['tcp', ['a/tcp', 'c/tcp']],
      ['memory', ['b/memory', 'e/memory']],
      ['worker', ['d/worker']],
    ]);
    expect(splitByGroup([], groupOf)).toEqual([]);
  });

  it('puts every row compared with another in the same group: one per transport, codecs apart', () => {
    const keysBy = new Map<string, string[]>();
    for (const entry of registry) {
      const group = lockstepGroup(entry);
      keysBy.set(group, [...(keysBy.get(group) ?? []), entry.key]);
    }
    expect(Object.fromEntries(keysBy)).toEqual({
      memory: [
        '@msc/memory',
        '@msc/in-process',
        '@msc-traced/memory',
        'capnweb/memory',
        '@endo/captp/memory',
        'birpc/memory',
        'floor/memory',
        'floor/local-calls-proxied',
        'floor/local-calls',
        'floor/local-calls-plain',
      ],
      tcp: ['@msc/tcp', '@msc-traced/tcp', 'floor/tcp'],
      websocket: ['@msc/websocket', 'capnweb/websocket', 'birpc/websocket', 'floor/websocket'],
      worker: ['@msc/worker', 'capnweb/worker', 'birpc/worker', 'floor/worker'],
      codec: ['codec/cbor-x', 'codec/json'],
    });
    // A baseline twin runs beside the row it mirrors.
    const twinGroup = (key: string) =>
      lockstepGroup(baselineEntry(registry.find((entry) => entry.key === key)!, 'abc1234'));
    expect(twinGroup('@msc/worker')).toBe('worker');
    expect(twinGroup('@msc/in-process')).toBe('memory');
  });
});
