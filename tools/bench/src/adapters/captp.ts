/**
 * @endo/captp (4.5.1) over the in-process channel. CapTP messages are JSON-able objects, posted as
 * they are (structured clone). Pipelining is native through `E()`: `E(E(root).getCounter()).inc()`
 * sends both calls at once. CapTP cannot pass mutable byte arrays (and its marshaller does not
 * implement immutable ones yet), so bytes travel as base64 strings, encoded and decoded inside the
 * timed call: that is what a CapTP application pays. CapTP has no streams.
 */
import './endo-environment.ts';
import { makeCapTP } from '@endo/captp';
import { E, Far } from '@endo/far';
import type { Adapter, Connection, Endpoint, Item } from '../adapter.ts';
import { delayedNetwork } from '../links/delayed-network.ts';
import type { Network } from '../links/link.ts';
import { Counter, service } from '../service.ts';

/** The root object the server bootstraps, as a `Far` remotable. */
function makeRoot() {
  return Far('BenchRoot', {
    add: (a: number, b: number) => service.add(a, b),
    getCounter: () => {
      const counter = new Counter();
      return Far('Counter', { inc: () => counter.inc() });
    },
    echoBase64: (text: string) => text,
    echoItems: (items: Item[]) => items,
  });
}

/** The client's view of the root (what `E(root)` can call). */
type Root = ReturnType<typeof makeRoot>;

/** Bytes to the base64 text CapTP can carry. */
function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** @endo/captp over `network` (the in-process channel in the registry). */
export function captpAdapter(network: Network<unknown>): Adapter {
  return {
    library: '@endo/captp',
    transport: network.transport,
    kind: 'peer',
    pipelining: true,
    async start(options): Promise<Endpoint> {
      // CapTP ids only label its debug output; each side counts its own sessions.
      let serverSessions = 0;
      let clientSessions = 0;
      const listener = await delayedNetwork(network, options.delayMilliseconds).listen((link) => {
        serverSessions += 1;
        const server = makeCapTP(`server-${serverSessions}`, (message) => link.send(message), makeRoot());
        link.onMessage((message) => server.dispatch(message));
        link.onClose(() => server.abort());
      });
      return {
        async connect(): Promise<Connection> {
          const link = await listener.connect();
          clientSessions += 1;
          const client = makeCapTP(`client-${clientSessions}`, (message) => link.send(message), undefined);
          link.onMessage((message) => client.dispatch(message));
          const root = client.getBootstrap() as Promise<Root>;
          return {
            add: (a, b) => E(root).add(a, b),
            incrementNewCounter: () => E(E(root).getCounter()).inc(),
            echoBytes: async (bytes) => Buffer.from(await E(root).echoBase64(toBase64(bytes)), 'base64'),
            echoItems: (items) => E(root).echoItems(items as Item[]),
            async close() {
              client.abort();
              link.close();
            },
          };
        },
        close: () => listener.close(),
      };
    },
  };
}
