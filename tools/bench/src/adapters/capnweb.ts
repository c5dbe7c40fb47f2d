/**
 * capnweb (0.12.0) over a link. The transport mirrors capnweb's own: on the in-process channel it
 * is its MessagePort transport (structured-clonable messages, bytes passed natively), on WebSocket
 * its WebSocket transport (JSON strings in text frames, bytes as base64). Pipelining is native:
 * `root.getCounter().inc()` sends both calls before the first returns. Streams are `ReadableStream`s
 * returned from a call, with capnweb's own flow control.
 */
import { RpcSession, type RpcStub } from 'capnweb';
import type { Adapter, Connection, Endpoint, Item } from '../adapter.ts';
import { delayedNetwork } from '../links/delayed-network.ts';
import type { Link, Network } from '../links/link.ts';
import { type Encoding, linkTransport, RootTarget } from './capnweb-server.ts';

/** Reads a stream to its end and returns how many chunks and bytes it delivered. */
async function drain<Chunk>(stream: ReadableStream<Chunk>, size: (chunk: Chunk) => number): Promise<number> {
  const reader = stream.getReader();
  let total = 0;
  for (;;) {
    const next = await reader.read();
    if (next.done) return total;
    total += size(next.value);
  }
}

/** capnweb over `network`, with the given message encoding. */
export function capnwebAdapter<Message>(network: Network<Message>, encoding: Encoding): Adapter {
  return {
    library: 'capnweb',
    transport: network.transport,
    kind: 'peer',
    pipelining: true,
    async start(options): Promise<Endpoint> {
      // The server sessions alive, for the table check (W5 adds its own while it runs).
      const serverSessions = new Set<RpcSession<undefined>>();
      const listener = await delayedNetwork(network, options.delayMilliseconds).listen((link) => {
        // The server session lives as long as its link: it ends when receive() rejects.
        const server = new RpcSession(linkTransport(link, encoding), new RootTarget());
        serverSessions.add(server);
        link.onClose(() => serverSessions.delete(server));
      });
      return {
        async connect(): Promise<Connection> {
          const link = await listener.connect();
          return capnwebClient(link, encoding, (tables) => {
            for (const server of serverSessions) {
              const stats = server.getStats();
              tables['server.imports'] = (tables['server.imports'] ?? 0) + stats.imports;
              tables['server.exports'] = (tables['server.exports'] ?? 0) + stats.exports;
            }
          });
        },
        close: () => listener.close(),
      };
    },
  };
}

/**
 * The client side of a capnweb row over `link` (whichever thread the server end lives in). The table
 * check reads the client session's imports and exports, and what `serverTables` adds where the server
 * sessions live in this process (absent when they live in a worker).
 */
export function capnwebClient<Message>(
  link: Link<Message>,
  encoding: Encoding,
  serverTables?: (tables: Record<string, number>) => void,
): Connection {
  const session = new RpcSession<RootTarget>(linkTransport(link, encoding));
  const root: RpcStub<RootTarget> = session.getRemoteMain();
  return {
    add: (a, b) => root.add(a, b),
    async incrementNewCounter() {
      const counter = root.getCounter();
      try {
        return await counter.inc();
      } finally {
        // Release the counter capability, as an application would.
        counter[Symbol.dispose]();
      }
    },
    tables() {
      const client = session.getStats();
      const tables: Record<string, number> = {
        'client.imports': client.imports,
        'client.exports': client.exports,
      };
      serverTables?.(tables);
      return tables;
    },
    echoBytes: (bytes) => root.echoBytes(bytes),
    echoItems: async (items) => root.echoItems(items as Item[]),
    readSequence: async (count) => drain(await root.sequence(count), () => 1),
    readByteStream: async (totalBytes, chunkBytes) =>
      drain(await root.byteStream(totalBytes, chunkBytes), (chunk) => chunk.byteLength),
    async close() {
      root[Symbol.dispose]();
      link.close();
    },
  };
}
