/**
 * The L1 and L2 workloads' timing loop: the same `add(a, b)` called on a plain object and through a
 * local capability made by the row being measured, side by side in one process, alternating, so the
 * ratio holds on a loaded machine. Shared by the `@msc` in-process row and the `floor: queued call`
 * row, so both are timed by the same code.
 */
import type { LocalCallTimes } from '../adapter.ts';

/** The target of every local call: an `async` method, as application code writes it. */
export class Adder {
  async add(a: number, b: number): Promise<number> {
    return a + b;
  }
}

/** Throws when a sum that came back is wrong (a broken wrapper must not report a fast nothing). */
function check(sum: number, expected: number): void {
  if (sum !== expected) throw new Error(`wrong result from the library: expected ${expected}, got ${sum}`);
}

async function sequential(target: Adder, calls: number): Promise<void> {
  for (let index = 0; index < calls; index += 1) check(await target.add(index, 1), index + 1);
}

async function inFlight(target: Adder, calls: number): Promise<void> {
  const pending: Promise<number>[] = new Array(calls);
  for (let index = 0; index < calls; index += 1) pending[index] = target.add(index, 1);
  const sums = await Promise.all(pending);
  for (let index = 0; index < calls; index += 1) check(sums[index]!, index + 1);
}

/**
 * Times `calls` calls (awaited one by one, or all in flight at once) on a plain `Adder` and on
 * `local` (a wrapper of another `Adder`), `repetitions` times each, alternating; returns each
 * repetition's milliseconds per side.
 */
export async function timeLocalCalls(
  local: Adder,
  calls: number,
  repetitions: number,
  mode: 'sequential' | 'in-flight',
): Promise<LocalCallTimes> {
  const direct = new Adder();
  const run = mode === 'sequential' ? sequential : inFlight;
  const times = { direct: [] as number[], local: [] as number[] };
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    let start = performance.now();
    await run(direct, calls);
    times.direct.push(performance.now() - start);
    start = performance.now();
    await run(local, calls);
    times.local.push(performance.now() - start);
  }
  return times;
}
