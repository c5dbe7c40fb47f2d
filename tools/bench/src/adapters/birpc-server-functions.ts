/**
 * The functions a birpc server offers, for every birpc row: in this thread (`birpc.ts`) and in a
 * worker thread (`../threads/birpc-server.thread.ts`). Each session has its own counters.
 */
import type { Item } from '../adapter.ts';
import { Counter, service } from '../service.ts';

/** The functions one session's server offers; its counters live in `counters` (the table check reads them). */
export function makeServerFunctions(counters: Map<number, Counter>) {
  let nextCounterId = 0;
  return {
    add: (a: number, b: number) => service.add(a, b),
    getCounter: () => {
      nextCounterId += 1;
      counters.set(nextCounterId, new Counter());
      return nextCounterId;
    },
    inc: (counterId: number) => {
      const counter = counters.get(counterId);
      if (counter === undefined) throw new Error(`expected a known counter id, got ${counterId}`);
      return counter.inc();
    },
    releaseCounter: (counterId: number) => {
      counters.delete(counterId);
    },
    echoBytes: (bytes: Uint8Array) => bytes,
    echoItems: (items: Item[]) => items,
  };
}

/** What the client can call. */
export type ServerFunctions = ReturnType<typeof makeServerFunctions>;
