/**
 * The floors of the local-call rows (L1, L2): the least any local capability with top-of-turn
 * dispatch must do, with no RPC library. A call is queued on one FIFO drained from a microtask (so
 * the method never runs inside the caller's stack, and calls run in call order) and answered with a
 * native promise that follows the promise the `async` method returned. Three rows:
 * - `floor: proxy call, pipelinable result`: the call is made through a `Proxy` on which any name is
 *   a method, as a capability proxy's is: it knows no method up front, so the name and the argument
 *   list travel to the queue, and the dispatch looks the name up on the target and applies the list.
 *   The answer is pipelinable, as in the next row. This is the least a local *proxy* call costs.
 * - `floor: queued call, pipelinable result`: the answer is what a pipelining library must return,
 *   a native promise on which any method name can be called before it settles: a `Promise`
 *   subclass whose prototype chain holds a `Proxy` for the method names, and whose `constructor`
 *   reads as `Promise` so that `await` and `Promise.all` take the engine's native path. Its methods
 *   do nothing here; the engine's cost of such a promise is what this row adds.
 *   Its wrapper knows `add` and calls it with its two numbers: no proxy, no name, no argument list.
 * - `floor: queued call`: as the previous row, with a plain `new Promise` for the answer, which cannot
 *   be pipelined on.
 * None has what a capability adds on top (argument isolation, lifetime, cancellation), so the
 * `@msc` in-process row's ratio to the first (its ×floor) is the price of those.
 */
import type { Adapter, Connection, Endpoint } from '../adapter.ts';
import { importUnnamed } from '../unnamed-import.ts';
import type * as Floors from './local-call-floors.ts';

/** Each floor's row name. */
const floorNames: Record<Floors.LocalCallFloor, string> = {
  proxied: 'floor: proxy call, pipelinable result',
  pipelinable: 'floor: queued call, pipelinable result',
  plain: 'floor: queued call',
};

const localOnly = 'the queued-call floor measures local calls only';

function notMeasured(): Promise<never> {
  return Promise.reject(new Error(localOnly));
}

/** A local-call floor row, reported under `memory` beside the `@msc` in-process row. */
export function floorLocalCallsAdapter(floor: Floors.LocalCallFloor): Adapter {
  return {
    library: floorNames[floor],
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
        timeLocalCalls: (calls, repetitions, mode) => floors.timeQueuedCalls(floor, calls, repetitions, mode),
        async close() {},
      };
      return { connect: async () => connection, close: async () => {} };
    },
  };
}
