/**
 * Runs every applicable workload for one adapter and returns its rows. Used by the child process of
 * each adapter (`measure-process.ts`) and, with the smoke profile, by the tests.
 */
import type { Adapter, Connection, Endpoint } from './adapter.ts';
import type { Profile } from './profile.ts';
import type { ResultRow } from './result-row.ts';
import { summarize } from './statistics.ts';
import { expectTablesBack, settledTables, type TableSizes } from './table-check.ts';
import { type Workload, workloads } from './workloads.ts';

/** Options for `measureAdapter`. */
export interface MeasureOptions {
  /** Called when a cell is done, for progress output. */
  readonly onRow?: (row: ResultRow) => void;
  /** Workload ids to run (`W1`, `W3d`, …); every workload when absent. */
  readonly workloads?: readonly string[];
  /**
   * Awaited before each measured run (run 0 of a workload: before its warm-up too), with the
   * workload's index in {@link runOrder}: the child process takes its turn here (`turn-scheduler.ts`).
   */
  readonly beforeRun?: (workload: number, run: number) => Promise<void>;
}

/**
 * Every workload in the order a child runs them: those on the undelayed endpoint first, then the
 * delayed ones (W3d) on a second endpoint; on each endpoint, one that forces collections (W5) after the
 * others (`Workload.forcesCollections`). A turn's position counts in this order, so children that run
 * the same workloads meet at each one (`turn-scheduler.ts`).
 */
export const runOrder: readonly Workload[] = [false, true].flatMap((delayed) => {
  const onEndpoint = workloads.filter((workload) => workload.delayed === delayed);
  return [
    ...onEndpoint.filter((workload) => workload.forcesCollections !== true),
    ...onEndpoint.filter((workload) => workload.forcesCollections === true),
  ];
});

/**
 * A run's value recomputed from CPU time: a time per operation scales with the time spent, a rate
 * inversely. `wallMicroseconds` and `cpuMicroseconds` are what the run took by each clock.
 */
function cpuValue(
  workload: Workload,
  value: number,
  wallMicroseconds: number,
  cpuMicroseconds: number,
): number {
  const share = cpuMicroseconds / wallMicroseconds;
  return workload.better === 'lower' ? value * share : value / share;
}

/** A row without values yet. */
function baseRow(adapter: Adapter, workload: Workload, profile: Profile): ResultRow {
  return {
    workload: workload.id,
    title: workload.title(profile),
    library: adapter.library,
    transport: adapter.transport,
    kind: adapter.kind,
    unit: workload.unit,
    better: workload.better,
    median: null,
    min: null,
    max: null,
    runs: [],
    ...(adapter.baselineOf === undefined ? {} : { baselineOf: adapter.baselineOf }),
  };
}

/** A row without values, for a cell that is n/a or failed. */
function emptyRow(adapter: Adapter, workload: Workload, profile: Profile, note: string): ResultRow {
  return { ...baseRow(adapter, workload, profile), note };
}

/** Runs one workload (warm-up, then `profile.runs` measured runs) and makes its row. */
async function measureWorkload(
  adapter: Adapter,
  workload: Workload,
  endpoint: Endpoint,
  connection: Connection,
  profile: Profile,
  tablesBefore: TableSizes | undefined,
  beforeRun: MeasureOptions['beforeRun'],
): Promise<ResultRow | undefined> {
  const applies = workload.applies(adapter, connection);
  if (applies === false) return undefined;
  if (typeof applies === 'string') return emptyRow(adapter, workload, profile, applies);
  const context = { adapter, endpoint, connection, profile };
  const workloadIndex = runOrder.indexOf(workload);
  try {
    await beforeRun?.(workloadIndex, 0);
    if (profile.warmUpMilliseconds > 0) {
      const warmUpStart = performance.now();
      for (let run = 0; run < profile.maxWarmUpRuns; run += 1) {
        await workload.run(context);
        if (performance.now() - warmUpStart >= profile.warmUpMilliseconds) break;
      }
    }
    const runs: number[] = [];
    const cpuRuns: number[] = [];
    for (let run = 0; run < profile.runs; run += 1) {
      if (run > 0) await beforeRun?.(workloadIndex, run);
      const cpuBefore = process.cpuUsage();
      const wallBefore = performance.now();
      const value = await workload.run(context);
      const wallMicroseconds = (performance.now() - wallBefore) * 1000;
      const cpu = process.cpuUsage(cpuBefore);
      runs.push(value);
      if (workload.timed) cpuRuns.push(cpuValue(workload, value, wallMicroseconds, cpu.user + cpu.system));
    }
    await expectTablesBack(connection, tablesBefore);
    const row: ResultRow = { ...baseRow(adapter, workload, profile), ...summarize(runs), runs };
    if (tablesBefore !== undefined) row.tablesChecked = true;
    if (cpuRuns.length > 0) {
      row.cpuRuns = cpuRuns;
      row.cpuMedian = summarize(cpuRuns).median;
    }
    return row;
  } catch (error) {
    return emptyRow(
      adapter,
      workload,
      profile,
      `error: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Starts an endpoint, connects once, runs `selected` on that session, and closes everything. */
async function measureOnEndpoint(
  adapter: Adapter,
  selected: readonly Workload[],
  profile: Profile,
  delayMilliseconds: number,
  options: MeasureOptions,
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const endpoint = await adapter.start({ delayMilliseconds });
  try {
    const connection = await endpoint.connect();
    try {
      // What every workload must leave the session tables at: their settled sizes after connecting.
      const tablesBefore = await settledTables(connection);
      for (const workload of selected) {
        const row = await measureWorkload(
          adapter,
          workload,
          endpoint,
          connection,
          profile,
          tablesBefore,
          options.beforeRun,
        );
        if (row === undefined) continue;
        rows.push(row);
        options.onRow?.(row);
      }
    } finally {
      await connection.close();
    }
  } finally {
    await endpoint.close();
  }
  return rows;
}

/**
 * Measures every workload that applies to `adapter`, in `runOrder`: the undelayed ones on one endpoint
 * and session, then the delayed ones on a second endpoint started with the profile's delay. Workloads
 * the adapter lists in `notApplicable` get an n/a row and no endpoint (none at all for the delayed ones
 * when all of them are listed). A failing cell becomes a row with an `error:` note; a failure to start or
 * connect rejects.
 */
export async function measureAdapter(
  adapter: Adapter,
  profile: Profile,
  options: MeasureOptions = {},
): Promise<ResultRow[]> {
  const reasons = adapter.notApplicable ?? {};
  const selected = runOrder.filter(
    (workload) => options.workloads === undefined || options.workloads.includes(workload.id),
  );
  const runnable = selected.filter((workload) => reasons[workload.id] === undefined);
  const immediate = runnable.filter((workload) => !workload.delayed);
  const delayed = runnable.filter((workload) => workload.delayed);
  const rows: ResultRow[] = [];
  if (immediate.length > 0) rows.push(...(await measureOnEndpoint(adapter, immediate, profile, 0, options)));
  if (delayed.length > 0) {
    rows.push(...(await measureOnEndpoint(adapter, delayed, profile, profile.delayMilliseconds, options)));
  }
  for (const workload of selected) {
    const reason = reasons[workload.id];
    if (reason === undefined) continue;
    const row = emptyRow(adapter, workload, profile, `n/a: ${reason}`);
    rows.push(row);
    options.onRow?.(row);
  }
  return rows;
}
