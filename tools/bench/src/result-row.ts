import type { AdapterKind } from './adapter.ts';
import type { TransportName } from './links/link.ts';

/** One cell of the report: a workload measured for one library over one transport. */
export interface ResultRow {
  /** Workload id: W1, W2, W3, W3d, W4b, W4o, W5, S1, S2. */
  workload: string;
  /** Workload title, with its counts. */
  title: string;
  /** Library (or floor, or codec) name. */
  library: string;
  /** Transport it ran over (`none` for codecs). */
  transport: TransportName;
  /** Kind of the adapter, which decides the ratio columns. */
  kind: AdapterKind;
  /** Unit of `median`, `min`, `max` and `runs`. */
  unit: string;
  /** Whether lower or higher values are better. */
  better: 'lower' | 'higher';
  /** Median of the runs; null when the cell is n/a or failed. */
  median: number | null;
  /** Smallest run value; null when the cell is n/a or failed. */
  min: number | null;
  /** Largest run value; null when the cell is n/a or failed. */
  max: number | null;
  /** The value of every measured run, in order. */
  runs: number[];
  /**
   * On a timed workload (`Workload.timed`): every run's value computed from the CPU time the whole
   * process spent (user + system, every thread: both ends of the session, GC included) instead of the
   * wall-clock time, in the same unit. Other processes on a shared machine slow the wall clock but
   * barely the CPU time, so this is the steadier figure under load; it misses time spent waiting
   * (a worker's or a socket's idle gaps). Absent on memory rows and on rows without values.
   */
  cpuRuns?: number[];
  /** Median of `cpuRuns`. */
  cpuMedian?: number;
  /**
   * True when both sides' session tables were checked back to their sizes from before the workload
   * (`Connection.tables`, `table-check.ts`); absent for a library that exposes no table sizes.
   */
  tablesChecked?: true;
  /** How many times slower (or heavier) than the best peer on the same workload and transport. */
  ratioToBestPeer?: number | null;
  /** How many times slower (or heavier) than the floor on the same workload and transport. */
  ratioToFloor?: number | null;
  /**
   * On a baseline row (`--baseline`): the library of the row it is the baseline of (`@msc`). Absent
   * on every other row.
   */
  baselineOf?: string;
  /**
   * On a row that has a baseline row (same library, workload and transport): after ÷ before, as
   * "times worse" (above 1: this build is slower or heavier than the baseline; below 1: better).
   */
  ratioToBaseline?: number | null;
  /**
   * On a row that has a baseline row, in a run of several rounds: after ÷ before of every round, each
   * the ratio of the two rows' medians measured back to back in that round (`rounds.ts`). Their
   * median is `ratioToBaseline`.
   */
  baselineRatios?: number[];
  /**
   * Merged over rounds (`rounds.ts`): how many rounds this cell has no row from (its child failed
   * there), so its runs do not line up with other cells' run by run (`pairedRatio` then compares
   * medians). Absent when every round measured it.
   */
  missedRounds?: number;
  /** As `baselineRatios`, from each round's CPU-time medians. */
  cpuBaselineRatios?: number[];
  /** As `ratioToBaseline`, from the CPU-time medians (`cpuMedian`) of each round. */
  cpuRatioToBaseline?: number | null;
  /** Why the cell has no value (`n/a: no streams`, or the error that stopped it). */
  note?: string;
}
