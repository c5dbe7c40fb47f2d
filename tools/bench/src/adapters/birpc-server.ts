/**
 * The server side of every birpc row: the functions it offers, the channel over a link, and serving
 * them on one link. Used in this thread (`birpc.ts`) and in a worker thread
 * (`../threads/birpc-server.thread.ts`).
 */
import { createBirpc } from 'birpc';
import { decode, encode } from 'cbor-x';
import type { Item } from '../adapter.ts';
import type { Link } from '../links/link.ts';
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

/** How messages are encoded for the link: passed as they are, or cbor-x bytes. */
export type Serialization = 'structured-clone' | 'cbor-x';

/** birpc channel options over a link. */
export function birpcChannel<Message>(link: Link<Message>, serialization: Serialization) {
  return {
    post: (data: unknown) => link.send(data as Message),
    on: (handler: (data: unknown) => void) => link.onMessage(handler),
    ...(serialization === 'cbor-x'
      ? {
          serialize: (data: unknown) => encode(data),
          deserialize: (data: unknown) => decode(data as Uint8Array),
        }
      : {}),
  };
}

/** Serves the functions on `link` until it closes, keeping the session's counters in `counters`. */
export function serveBirpc<Message>(
  link: Link<Message>,
  serialization: Serialization,
  counters: Map<number, Counter>,
): void {
  const server = createBirpc<{}, ServerFunctions>(
    makeServerFunctions(counters),
    birpcChannel(link, serialization),
  );
  link.onClose(() => server.$close());
}
