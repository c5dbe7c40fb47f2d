/**
 * Ratios and the printed table. Ratios are always "times worse" (≥ 1 for the worse side): for
 * times and memory it is value ÷ reference, for rates reference ÷ value, so 2.0 means "twice as
 * slow" in every column.
 */
import type { AdapterKind } from './adapter.ts';
import type { TransportName } from './links/link.ts';
import type { ResultRow } from './result-row.ts';
import { summarize, timesWorse } from './statistics.ts';
import { workloads } from './workloads.ts';

/** Whether a row takes part in the peer comparison (MSC and the peer libraries). */
const isLibrary = (row: ResultRow) => row.kind === 'peer' || row.kind === 'subject';

/**
 * How many times worse `row` is than `reference`: the median of the ratios of their runs taken in
 * pairs, run i against run i, when both have the same number of runs. Measured in lockstep
 * (`turn-scheduler.ts`), run i of each was made one cycle of turns from the other's, in the same round,
 * so a slow phase of the machine stretches both runs of a pair and cancels out of its ratio, where it
 * moves one median more than the other. Rows whose runs do not line up (unequal counts, or a round missed
 * by either: `missedRounds`) compare medians.
 */
export function pairedRatio(row: ResultRow, reference: ResultRow): number {
  const runs = row.runs;
  const referenceRuns = reference.runs;
  if (
    runs.length === 0 ||
    runs.length !== referenceRuns.length ||
    row.missedRounds !== undefined ||
    reference.missedRounds !== undefined
  ) {
    return timesWorse(row.median!, reference.median!, row.better);
  }
  return summarize(runs.map((value, index) => timesWorse(value, referenceRuns[index]!, row.better))).median;
}

/**
 * Fills `ratioToBestPeer` (against the best peer library on the same workload and transport, the
 * best by median) and `ratioToFloor` (against the floor row of the same workload and transport) on
 * library rows, each a {@link pairedRatio}; other rows get null. A row that has a baseline row
 * (`--baseline`: same workload and transport, and `baselineOf` naming its library) also gets
 * `ratioToBaseline`, after ÷ before: the median of its per-round ratios when `rounds.ts` paired them
 * (`baselineRatios`), else the ratio of the two medians; and `cpuRatioToBaseline` likewise from CPU
 * time. Returns the same rows.
 */
export function addRatios(rows: ResultRow[]): ResultRow[] {
  for (const row of rows) {
    row.ratioToBestPeer = null;
    row.ratioToFloor = null;
    if (!isLibrary(row) || row.median === null) continue;
    const median = row.median;
    const sameCell = rows.filter(
      (other) =>
        other.workload === row.workload && other.transport === row.transport && other.median !== null,
    );
    const peers = sameCell.filter((other) => other.kind === 'peer');
    if (peers.length > 0) {
      const best = peers.reduce((best, peer) =>
        timesWorse(peer.median!, best.median!, row.better) < 1 ? peer : best,
      );
      row.ratioToBestPeer = pairedRatio(row, best);
    }
    const floor = sameCell.find((other) => other.kind === 'floor');
    if (floor !== undefined) row.ratioToFloor = pairedRatio(row, floor);
    const before = sameCell.find((other) => other.baselineOf === row.library);
    if (before === undefined) continue;
    row.ratioToBaseline =
      row.baselineRatios !== undefined && row.baselineRatios.length > 0
        ? summarize(row.baselineRatios).median
        : timesWorse(median, before.median!, row.better);
    if (row.cpuBaselineRatios !== undefined && row.cpuBaselineRatios.length > 0)
      row.cpuRatioToBaseline = summarize(row.cpuBaselineRatios).median;
    else if (row.cpuMedian !== undefined && before.cpuMedian !== undefined)
      row.cpuRatioToBaseline = timesWorse(row.cpuMedian, before.cpuMedian, row.better);
  }
  return rows;
}

/** Formats a measured value with about three significant digits. */
export function formatValue(value: number | null): string {
  if (value === null) return '-';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Formats a ratio as `1.00×`, or blank when there is none. */
function formatRatio(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '' : `${ratio.toFixed(2)}×`;
}

const transportOrder: readonly TransportName[] = ['memory', 'worker', 'websocket', 'tcp', 'none'];
const kindOrder: readonly AdapterKind[] = ['subject', 'peer', 'floor', 'codec'];

/** Widest cell of every column. */
function columnWidths(lines: readonly string[][]): number[] {
  return lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]?.length ?? 0)));
}

/** Joins cells padded to `widths`; columns from index 2 on are numbers and right-aligned. */
function formatLine(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, column) => (column >= 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
    .join('  ');
}

/** The smallest and largest per-round after ÷ before ratio of a row, as `0.97–1.04`, or blank. */
function formatRatioRange(ratios: readonly number[] | undefined): string {
  if (ratios === undefined || ratios.length < 2) return '';
  const { min, max } = summarize(ratios);
  return `${min.toFixed(2)}–${max.toFixed(2)}`;
}

/**
 * The report as text: one block per workload, rows ordered by transport and kind, a baseline row right
 * after the row it is the baseline of. With baseline rows, the rows that have one show after ÷ before:
 * `×before` (wall clock: the median of the per-round ratios), `rounds` (their smallest and largest)
 * and `cpu×before` (the same from CPU time).
 */
export function formatTable(rows: readonly ResultRow[]): string {
  const output: string[] = [];
  const withBaseline = rows.some((row) => row.baselineOf !== undefined);
  for (const workload of workloads) {
    const arrival = rows.filter((row) => row.workload === workload.id);
    // Rows of one kind keep the order they came in; a baseline row sorts with the row it mirrors.
    const libraryOrder = (row: ResultRow) =>
      arrival.findIndex((other) => other.library === (row.baselineOf ?? row.library));
    const block = [...arrival].sort(
      (left, right) =>
        transportOrder.indexOf(left.transport) - transportOrder.indexOf(right.transport) ||
        kindOrder.indexOf(left.kind) - kindOrder.indexOf(right.kind) ||
        libraryOrder(left) - libraryOrder(right) ||
        Number(left.baselineOf !== undefined) - Number(right.baselineOf !== undefined),
    );
    if (block.length === 0) continue;
    const first = block[0]!;
    output.push('', `${first.title}  [${first.unit}, ${first.better} is better]`);
    const header = ['transport', 'library', 'median', 'min', 'max', 'runs', '×best peer', '×floor'];
    if (withBaseline) header.push('×before', 'rounds', 'cpu×before');
    const cells = block.map((row) =>
      row.median === null
        ? [row.transport, row.library]
        : [
            row.transport,
            row.library,
            formatValue(row.median),
            formatValue(row.min),
            formatValue(row.max),
            String(row.runs.length),
            formatRatio(row.ratioToBestPeer),
            formatRatio(row.ratioToFloor),
            ...(withBaseline
              ? [
                  formatRatio(row.ratioToBaseline),
                  formatRatioRange(row.baselineRatios),
                  formatRatio(row.cpuRatioToBaseline),
                ]
              : []),
          ],
    );
    const widths = columnWidths([header, ...cells]);
    output.push(`  ${formatLine(header, widths)}`.trimEnd());
    block.forEach((row, index) => {
      // A cell without a value (n/a, or an error) prints its note where the numbers would be.
      const line = formatLine(cells[index]!, widths);
      output.push(`  ${row.median === null ? `${line}  ${row.note ?? '-'}` : line}`.trimEnd());
    });
  }
  return output.join('\n');
}
