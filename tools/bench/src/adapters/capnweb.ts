/**
 * capnweb (0.12.0) over a link. The transport mirrors capnweb's own: on the in-process channel it
 * is its MessagePort transport (structured-clonable messages, bytes passed natively), on WebSocket
 * its WebSocket transport (JSON strings in text frames, bytes as base64). Pipelining is native:
 * `root.getCounter().inc()` sends both calls before the first returns. Streams are `ReadableStream`s
 * returned from a call, with capnweb's own flow control.
 */
import { RpcSession, type RpcStub, RpcTarget, type RpcTransportWithCustomEncoding } from 'capnweb';
import type { Adapter, Connection, Endpoint, Item } from '../adapter.ts';
import { delayedNetwork } from '../links/delayed-network.ts';
import type { Link, Network } from '../links/link.ts';
import { byteStreamChunks, Counter, sequenceItem, service } from '../service.ts';
import { LinkPump } from './link-pump.ts';

/** The counter as a capnweb capability. */
class CounterTarget extends RpcTarget {
  readonly #counter = new Counter();
  inc(): number {
    return this.#counter.inc();
  }
}

/** The root object the server exports. */
class RootTarget extends RpcTarget {
  add(a: number, b: number): number {
    return service.add(a, b);
  }
  getCounter(): CounterTarget {
    return new CounterTarget();
  }
  echoBytes(bytes: Uint8Array): Uint8Array {
    return bytes;
  }
  echoItems(items: Item[]): Item[] {
    return items;
  }
  sequence(count: number): ReadableStream<Item> {
    let index = 0;
    return new ReadableStream<Item>({
      pull(controller) {
        if (index >= count) controller.close();
        else controller.enqueue(sequenceItem(index++));
      },
    });
  }
  byteStream(totalBytes: number, chunkBytes: number): ReadableStream<Uint8Array> {
    const chunks = byteStreamChunks(totalBytes, chunkBytes);
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.next();
        // The shared chunk itself, as the floors and @msc send it: it never changes, so capnweb may
        // hold it as long as it likes.
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    });
  }
}

/** Which of capnweb's encodings the transport uses. */
type Encoding = 'structuredClonable' | 'string';

/** A capnweb transport over a link; `string` encoding is declared by leaving `encodingLevel` out. */
function linkTransport<Message>(link: Link<Message>, encoding: Encoding): RpcTransportWithCustomEncoding {
  const pump = new LinkPump(link);
  const transport = {
    send(message: unknown): void {
      link.send(message as Message);
    },
    receive: () => pump.receive() as Promise<unknown>,
    abort(): void {
      link.close();
    },
  };
  if (encoding === 'structuredClonable') return { encodingLevel: 'structuredClonable', ...transport };
  // capnweb treats a transport without `encodingLevel` as string-encoded (JSON text).
  return transport as unknown as RpcTransportWithCustomEncoding;
}

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
              const tables: Record<string, number> = {};
              const client = session.getStats();
              tables['client.imports'] = client.imports;
              tables['client.exports'] = client.exports;
              for (const server of serverSessions) {
                const stats = server.getStats();
                tables['server.imports'] = (tables['server.imports'] ?? 0) + stats.imports;
                tables['server.exports'] = (tables['server.exports'] ?? 0) + stats.exports;
              }
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
        },
        close: () => listener.close(),
      };
    },
  };
}
