/**
 * Rounds of a before/after run (`--baseline`): instead of measuring each adapter's repetitions in one
 * child process, one after the other, the harness runs every adapter once per round, in an order
 * rotated by one each round, and each child measures one repetition. Slow drift of a shared machine
 * (another job starting, thermal limits) then lands on the before and the after rows alike, instead of
 * on whichever ran last.
 */
import type { ResultRow } from './result-row.ts';
import { summarize } from './statistics.ts';

/** `items` rotated left by `round` places: round 0 is the given order, round 1 starts at the second. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const start = round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * Merges the rows of several rounds into one row per cell (workload, library, transport), in the order
 * the cells first appear: the runs of every round, in round order, summarised again. A cell that failed
 * or was n/a in any round keeps that round's note and no values.
 */
export function mergeRounds(rows: readonly ResultRow[]): ResultRow[] {
  const cells = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = `${row.workload}\u0000${row.library}\u0000${row.transport}`;
    const cell = cells.get(key);
    if (cell === undefined) cells.set(key, [row]);
    else cell.push(row);
  }
  return [...cells.values()].map((cell) => {
    const first = cell[0]!;
    const empty = cell.find((row) => row.median === null);
    if (empty !== undefined)
      return { ...first, median: null, min: null, max: null, runs: [], note: empty.note ?? '-' };
    const runs = cell.flatMap((row) => row.runs);
    return { ...first, ...summarize(runs), runs };
  });
}
