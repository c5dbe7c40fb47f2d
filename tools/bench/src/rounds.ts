/**
 * Rounds (`--rounds`, and every before/after run, `--baseline`): instead of measuring each adapter's
 * repetitions in one child process, one after the other, the harness runs every adapter once per
 * round, in an order rotated by one each round, and each @msc adapter back to back with its baseline
 * twin when there is one (the twin second in even rounds, first in odd ones). Slow drift of a shared machine (another job starting,
 * thermal limits) then lands on the before and the after rows alike, instead of on whichever ran last.
 *
 * The after ÷ before ratio is taken per round, from the two rows measured back to back, and the
 * report gives the median of those ratios: a round in which the machine was busy moves both rows of
 * its pair and cancels out of their ratio, where it would move the medians of all runs unevenly.
 */
import type { ResultRow } from './result-row.ts';
import { summarize, timesWorse } from './statistics.ts';

/** `items` rotated left by `round` places: round 0 is the given order, round 1 starts at the second. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const start = round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * The order of one round: the groups rotated by `round` places, each group's members back to back,
 * in the given order in even rounds and reversed in odd ones (so neither the before nor the after
 * row of a pair always runs first, right after another adapter's process).
 */
export function roundOrder<T>(groups: readonly (readonly T[])[], round: number): T[] {
  return rotated(groups, round).flatMap((group) => (round % 2 === 0 ? [...group] : [...group].reverse()));
}

/**
 * `items` split by `groupOf`: each group with its items in their order, the groups in the order of
 * their first item.
 */
export function splitByGroup<T>(items: readonly T[], groupOf: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groupOf(item);
    const members = groups.get(group);
    if (members === undefined) groups.set(group, [item]);
    else members.push(item);
  }
  return [...groups];
}

/** Key of a cell: workload, library and transport. */
const cellKey = (row: ResultRow, library = row.library) =>
  `${row.workload}\u0000${library}\u0000${row.transport}`;

/**
 * Merges the rows of several rounds into one row per cell (workload, library, transport), in the order
 * the cells first appear: the runs of every round, in round order, summarised again. A cell that failed
 * or was n/a in any round keeps that round's note and no values. `rounds` holds each round's rows;
 * a row that has a baseline twin in the same round also gets its per-round ratios (`baselineRatios`,
 * `cpuBaselineRatios`).
 */
export function mergeRounds(rounds: readonly (readonly ResultRow[])[]): ResultRow[] {
  const ratios = new Map<string, { wall: number[]; cpu: number[] }>();
  for (const rows of rounds) {
    for (const before of rows) {
      if (before.baselineOf === undefined || before.median === null) continue;
      const after = rows.find((row) => cellKey(row) === cellKey(before, before.baselineOf));
      if (after === undefined || after.median === null) continue;
      const key = cellKey(after);
      const pair = ratios.get(key) ?? { wall: [], cpu: [] };
      pair.wall.push(timesWorse(after.median, before.median, after.better));
      if (after.cpuMedian !== undefined && before.cpuMedian !== undefined)
        pair.cpu.push(timesWorse(after.cpuMedian, before.cpuMedian, after.better));
      ratios.set(key, pair);
    }
  }
  return splitByGroup(rounds.flat(), (row) => cellKey(row)).map(([key, cell]) => {
    const first = cell[0]!;
    const empty = cell.find((row) => row.median === null);
    if (empty !== undefined)
      return { ...first, median: null, min: null, max: null, runs: [], note: empty.note ?? '-' };
    const runs = cell.flatMap((row) => row.runs);
    const merged: ResultRow = { ...first, ...summarize(runs), runs };
    // A round whose child failed left no row here: run i no longer lines up with other cells' run i.
    if (cell.length < rounds.length) merged.missedRounds = rounds.length - cell.length;
    const cpuRuns = cell.flatMap((row) => row.cpuRuns ?? []);
    if (cpuRuns.length > 0) {
      merged.cpuRuns = cpuRuns;
      merged.cpuMedian = summarize(cpuRuns).median;
    }
    const pair = ratios.get(key);
    if (pair !== undefined) {
      merged.baselineRatios = pair.wall;
      if (pair.cpu.length > 0) merged.cpuBaselineRatios = pair.cpu;
    }
    return merged;
  });
}
