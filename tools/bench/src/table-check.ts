/**
 * The check that ends every workload: the session tables of both sides are back to their sizes from
 * before it (`Connection.tables`). Lazy housekeeping (a `Release` riding on the next frame, a
 * collection-driven release) may trail the last result, so the check waits, a turn at a time, up to
 * {@link settleMilliseconds}, before it calls the tables leaked.
 */
import type { Connection } from './adapter.ts';

/** How long tables may take to return to their sizes after a workload's last result. */
const settleMilliseconds = 2000;

/** How long table sizes must stay the same to count as settled. */
const stableMilliseconds = 20;

/** Table sizes by name, as `Connection.tables` reports them. */
export type TableSizes = Readonly<Record<string, number>>;

/**
 * The names whose sizes in `after` are above those in `before`, as `name before → after`. Only growth
 * counts: a baseline read while a lazy release was still on its way may be a little high, and a table
 * below it has released more, not leaked.
 */
function growth(before: TableSizes, after: TableSizes): string[] {
  const grown: string[] = [];
  for (const name of Object.keys(after)) {
    if ((after[name] ?? 0) > (before[name] ?? 0)) grown.push(`${name} ${before[name] ?? 0} → ${after[name]}`);
  }
  return grown;
}

/** The names whose sizes differ between two readings. */
function differences(before: TableSizes, after: TableSizes): string[] {
  return [...growth(before, after), ...growth(after, before)];
}

/**
 * Resolves once none of `connection`'s tables is above `baseline`; rejects, naming each table that did
 * not return, after `waitMilliseconds` (default {@link settleMilliseconds}). Does nothing for a connection without tables.
 */
export async function expectTablesBack(
  connection: Connection,
  baseline: TableSizes | undefined,
  waitMilliseconds = settleMilliseconds,
): Promise<void> {
  if (baseline === undefined || connection.tables === undefined) return;
  const deadline = performance.now() + waitMilliseconds;
  for (;;) {
    const changed = growth(baseline, connection.tables());
    if (changed.length === 0) return;
    if (performance.now() >= deadline) {
      throw new Error(
        `expected every session table back to its size before the workload, but after ${waitMilliseconds} ms: ${changed.join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The sizes of `connection`'s tables once the session has settled after connecting: after one call
 * (so the peer has seen the end of the handshake, whose import of our root may trail our
 * `established`), when two readings {@link stableMilliseconds} apart agree (the call's lazy `Finish`
 * has gone). `undefined` for a connection without tables.
 */
export async function settledTables(connection: Connection): Promise<TableSizes | undefined> {
  if (connection.tables === undefined) return undefined;
  if ((await connection.add(0, 0)) !== 0)
    throw new Error('wrong result from the library: expected add(0, 0) = 0');
  const deadline = performance.now() + settleMilliseconds;
  let reading = connection.tables();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, stableMilliseconds));
    const next = connection.tables();
    if (differences(reading, next).length === 0 || performance.now() >= deadline) return next;
    reading = next;
  }
}
