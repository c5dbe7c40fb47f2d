/**
 * The L1 and L2 workloads' measurement for @msc: `add(a, b)` through `proxy(object)` (a local
 * capability: the call is queued and dispatched at the top of a later turn, its arguments and result
 * isolated, its result a pipelinable promise) against the plain object. `proxy` comes from the build
 * being measured (the workspace's `dist/`, or a `--baseline` build).
 */
import { proxy } from '@msc/eventual';
import type { LocalCallTimes } from '../adapter.ts';
import { Adder, timeLocalCalls as timeCalls } from './local-call-timing.ts';

/** Times `calls` calls on a plain object and through a local proxy (see `local-call-timing.ts`). */
export async function timeLocalCalls(
  calls: number,
  repetitions: number,
  mode: 'sequential' | 'in-flight',
): Promise<LocalCallTimes> {
  using local = proxy(new Adder());
  // Awaited here: `local` is disposed when this function returns.
  return await timeCalls(local as unknown as Adder, calls, repetitions, mode);
}
