/**
 * birpc (4.2.0) over a link. birpc is a function-call RPC with no capabilities: `getCounter()`
 * returns a counter id and `inc(id)` is a second call, awaited after the first (two round trips,
 * its real cost), then `releaseCounter(id)` is sent as an event (no answer awaited), as the
 * capability libraries release the counter. On the in-process channel its messages are posted as they are (structured clone,
 * bytes native); on WebSocket they are serialized with cbor-x in binary frames (birpc leaves the
 * serializer to the application; JSON would not carry bytes). birpc has no streams.
 */
import { createBirpc } from 'birpc';
import type { Adapter, Connection, Endpoint, Item } from '../adapter.ts';
import { delayedNetwork } from '../links/delayed-network.ts';
import type { Link, Network } from '../links/link.ts';
import type { Counter } from '../service.ts';
import { birpcChannel, type Serialization, type ServerFunctions, serveBirpc } from './birpc-server.ts';

/** birpc over `network`, with the given serialization. */
export function birpcAdapter<Message>(network: Network<Message>, serialization: Serialization): Adapter {
  return {
    library: 'birpc',
    transport: network.transport,
    kind: 'peer',
    pipelining: false,
    async start(options): Promise<Endpoint> {
      // Each server session's counters, for the table check (W5 adds its own while it runs).
      const serverCounters = new Set<Map<number, Counter>>();
      const listener = await delayedNetwork(network, options.delayMilliseconds).listen((link) => {
        const counters = new Map<number, Counter>();
        serverCounters.add(counters);
        serveBirpc(link, serialization, counters);
        link.onClose(() => serverCounters.delete(counters));
      });
      return {
        async connect(): Promise<Connection> {
          const link = await listener.connect();
          return birpcClient(link, serialization, () => {
            let counters = 0;
            for (const map of serverCounters) counters += map.size;
            return { 'server.counters': counters };
          });
        },
        close: () => listener.close(),
      };
    },
  };
}

/**
 * The client side of a birpc row over `link` (whichever thread the server end lives in). `tables`
 * counts the server's counters where they live in this process; absent when they live in a worker.
 */
export function birpcClient<Message>(
  link: Link<Message>,
  serialization: Serialization,
  tables?: () => Record<string, number>,
): Connection {
  const remote = createBirpc<ServerFunctions, {}>({}, birpcChannel(link, serialization));
  // A link that closes under the calls (the server's thread died) rejects them instead of leaving
  // them to birpc's timeout.
  link.onClose(() => {
    if (!remote.$closed) remote.$close();
  });
  return {
    ...(tables === undefined ? {} : { tables }),
    add: (a, b) => remote.add(a, b),
    async incrementNewCounter() {
      // No pipelining: the id must come back before inc() can be sent.
      const counterId = await remote.getCounter();
      try {
        return await remote.inc(counterId);
      } finally {
        // One-way: nothing waits for the release, as with a capability's Release.
        void remote.releaseCounter.asEvent(counterId);
      }
    },
    echoBytes: (bytes) => remote.echoBytes(bytes),
    echoItems: (items) => remote.echoItems(items as Item[]),
    async close() {
      remote.$close();
      link.close();
    },
  };
}
