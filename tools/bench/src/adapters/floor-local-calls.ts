/**
 * The floors of the local-call rows (L1, L2): the least any local capability with top-of-turn
 * dispatch must do, with no RPC library. A call is queued on one FIFO drained from a microtask (so
 * the method never runs inside the caller's stack, and calls run in call order) and answered with a
 * native promise that follows the promise the `async` method returned. Two rows:
 * - `floor: queued call, pipelinable result`: the answer is what a pipelining library must return,
 *   a native promise on which any method name can be called before it settles: a `Promise`
 *   subclass whose prototype chain holds a `Proxy` for the method names, and whose `constructor`
 *   reads as `Promise` so that `await` and `Promise.all` take the engine's native path. Its methods
 *   do nothing here; the engine's cost of such a promise is what this row adds.
 * - `floor: queued call`: the answer is a plain `new Promise`, which cannot be pipelined on.
 * Neither has what a capability adds on top (argument isolation, lifetime, cancellation), so the
 * `@msc` in-process row's ratio to the first is the price of those.
 */
import type { Adapter, Connection, Endpoint } from '../adapter.ts';
import { importUnnamed } from '../unnamed-import.ts';
import type * as Floors from './local-call-floors.ts';

const localOnly = 'the queued-call floor measures local calls only';

function notMeasured(): Promise<never> {
  return Promise.reject(new Error(localOnly));
}

/**
 * A local-call floor row, reported under `memory` beside the `@msc` in-process row: answers are
 * pipelinable promises or plain ones.
 */
export function floorLocalCallsAdapter(answers: 'pipelinable' | 'plain'): Adapter {
  return {
    library: answers === 'pipelinable' ? 'floor: queued call, pipelinable result' : 'floor: queued call',
    transport: 'memory',
    kind: 'floor',
    pipelining: false,
    notApplicable: Object.fromEntries(
      ['W1', 'W2', 'W3', 'W3d', 'W4b', 'W4o', 'W5', 'S1', 'S2'].map((id) => [id, localOnly]),
    ),
    async start(): Promise<Endpoint> {
      const floors = await importUnnamed<typeof Floors>(new URL('./local-call-floors.ts', import.meta.url));
      const connection: Connection = {
        add: notMeasured,
        incrementNewCounter: notMeasured,
        echoBytes: notMeasured,
        echoItems: notMeasured,
        timeLocalCalls: (calls, repetitions, mode) =>
          floors.timeQueuedCalls(answers, calls, repetitions, mode),
        async close() {},
      };
      return { connect: async () => connection, close: async () => {} };
    },
  };
}
