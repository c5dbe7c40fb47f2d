import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../src/result-row.ts';
import { mergeRounds, rotated } from '../src/rounds.ts';

function row(library: string, runs: number[], note?: string): ResultRow {
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
  };
}

describe('rounds of a before/after run', () => {
  it('each round starts one adapter later, so no adapter always runs first', () => {
    const order = ['a', 'b', 'c'];
    expect([0, 1, 2, 3].map((round) => rotated(order, round).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
    expect(rotated([], 2)).toEqual([]);
  });

  it('the runs of every round make one row per cell, summarised again', () => {
    const merged = mergeRounds([
      row('@msc', [3]),
      row('@msc@abc', [5]),
      row('@msc@abc', [1]),
      row('@msc', [9]),
    ]);
    expect(merged.map((cell) => [cell.library, cell.runs, cell.median, cell.min, cell.max])).toEqual([
      ['@msc', [3, 9], 6, 3, 9],
      ['@msc@abc', [5, 1], 3, 1, 5],
    ]);
  });

  it('a cell that failed in any round has no values and keeps the error', () => {
    const merged = mergeRounds([row('@msc', [3]), row('@msc', [], 'error: boom')]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ median: null, runs: [], note: 'error: boom' });
  });
});
