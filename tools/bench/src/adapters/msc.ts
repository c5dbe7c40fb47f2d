/**
 * @msc over its own transports: `message-port` runs the session over a MessageChannel (the same
 * medium the peers' "memory" rows use), `in-process` over `memoryPair()` (no MessageChannel: what
 * two components in one thread get), and `tcp` / `websocket` through a `Scope` over
 * @msc/transport-tcp and @msc/transport-ws on 127.0.0.1. Pipelining is native; streams are
 * `Sequence` and `Bytes` with the consumer's flow control. The 1 ms delay of W3d wraps each side's
 * `send`, as for peers.
 */
import { type Bytes, bytes, type Proxy, proxy, type Sequence, sequence } from '@msc/eventual';
import { Scope, Session, unauthenticated } from '@msc/session';
import type { Connection as FrameConnection, Transport } from '@msc/transport';
import { memoryPair, messagePortPair } from '@msc/transport-memory';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';
import type { Adapter, Connection, Endpoint, Item } from '../adapter.ts';
import { delayedSend } from '../links/delayed-network.ts';
import { byteStreamChunks, Counter, sequenceItem, service } from '../service.ts';

interface ICounter {
  inc(): Promise<number>;
}

interface IBenchRoot {
  add(a: number, b: number): Promise<number>;
  getCounter(): Proxy<ICounter>;
  echoBytes(bytes: Uint8Array): Promise<Uint8Array>;
  echoItems(items: Item[]): Promise<Item[]>;
  sequence(count: number): Sequence<Item>;
  byteStream(totalBytes: number, chunkBytes: number): Bytes;
}

class CounterTarget implements ICounter {
  readonly #counter = new Counter();
  async inc(): Promise<number> {
    return this.#counter.inc();
  }
}

class BenchRoot implements IBenchRoot {
  async add(a: number, b: number): Promise<number> {
    return service.add(a, b);
  }
  getCounter(): Proxy<ICounter> {
    return proxy<ICounter>(new CounterTarget());
  }
  async echoBytes(data: Uint8Array): Promise<Uint8Array> {
    return data;
  }
  async echoItems(items: Item[]): Promise<Item[]> {
    return items;
  }
  sequence(count: number): Sequence<Item> {
    const [items, writer] = sequence<Item>();
    void (async () => {
      for (let index = 0; index < count; index++) {
        writer.write(sequenceItem(index));
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return items;
  }
  byteStream(totalBytes: number, chunkBytes: number): Bytes {
    const [stream, writer] = bytes();
    void (async () => {
      for (const chunk of byteStreamChunks(totalBytes, chunkBytes)) {
        writer.write(chunk.slice()); // ownership passes to the stream
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return stream;
  }
}

type Medium = 'message-port' | 'in-process';

function delayed(connection: FrameConnection, delayMilliseconds: number): FrameConnection {
  if (delayMilliseconds <= 0) return connection;
  const send = delayedSend((frame: Uint8Array) => {
    try {
      connection.send(frame);
    } catch {
      // closed meanwhile
    }
  }, delayMilliseconds);
  return new globalThis.Proxy(connection, {
    get(target, key) {
      if (key === 'send') return send;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Wraps a transport so every connection it makes sends `delayMilliseconds` late (both ends). */
function delayedTransport(transport: Transport, delayMilliseconds: number): Transport {
  if (delayMilliseconds <= 0) return transport;
  return {
    name: transport.name,
    dial: async (address, options) => delayed(await transport.dial(address, options), delayMilliseconds),
    listen: (address, onConnection, options) =>
      transport.listen(
        address,
        (connection) => onConnection(delayed(connection, delayMilliseconds)),
        options,
      ),
  };
}

/** The workload calls on a remote root. */
function workloads(remote: Proxy<IBenchRoot>, close: () => Promise<void>): Connection {
  return {
    add: (a, b) => remote.add(a, b),
    async incrementNewCounter() {
      using counter = remote.getCounter();
      return await counter.inc();
    },
    echoBytes: (data) => remote.echoBytes(data),
    echoItems: (items) => remote.echoItems(items as Item[]),
    async readSequence(count) {
      const items = remote.sequence(count);
      items.capacity = 1024;
      items.batchSize = 256;
      let received = 0;
      for await (const _item of items) received++;
      return received;
    },
    async readByteStream(totalBytes, chunkBytes) {
      const stream = remote.byteStream(totalBytes, chunkBytes);
      stream.capacity = 1024 * 1024;
      stream.batchSize = 256 * 1024;
      let received = 0;
      for await (const chunk of stream) received += chunk.byteLength;
      return received;
    },
    close,
  };
}

/** @msc through scopes over a network transport on 127.0.0.1. */
export function mscNetworkAdapter(kind: 'tcp' | 'websocket'): Adapter {
  return {
    library: '@msc',
    transport: kind,
    kind: 'subject',
    pipelining: true,
    async start(options): Promise<Endpoint> {
      const transport = delayedTransport(kind === 'tcp' ? tcp() : ws(), options.delayMilliseconds);
      const root = proxy<IBenchRoot>(new BenchRoot());
      const server = new Scope({ transport, authenticator: unauthenticated(), root });
      root[Symbol.dispose]();
      const listener = await server.listen(kind === 'tcp' ? 'tcp:127.0.0.1:0' : 'ws://127.0.0.1:0/msc');
      const clients = new Set<Scope>();
      return {
        async connect(): Promise<Connection> {
          const client = new Scope({ transport, authenticator: unauthenticated() });
          clients.add(client);
          const session = await client.session(listener.address);
          const remote = session.remoteRoot<IBenchRoot>();
          return workloads(remote, async () => {
            remote[Symbol.dispose]();
            clients.delete(client);
            await client.close('benchmark done');
          });
        },
        async close() {
          await Promise.all([...clients].map((client) => client.close('benchmark done')));
          await server.close('benchmark done');
        },
      };
    },
  };
}

/** @msc over `medium`, one session pair per connection. */
export function mscAdapter(medium: Medium): Adapter {
  return {
    library: '@msc',
    transport: 'memory',
    kind: 'subject',
    pipelining: true,
    async start(options): Promise<Endpoint> {
      const sessions = new Set<Session>();
      return {
        async connect(): Promise<Connection> {
          const [client, server] = medium === 'in-process' ? memoryPair() : messagePortPair();
          const root = proxy<IBenchRoot>(new BenchRoot());
          const serverSession = new Session({
            connection: delayed(server, options.delayMilliseconds),
            role: 'listener',
            authenticator: unauthenticated(),
            root,
          });
          root[Symbol.dispose]();
          const clientSession = new Session({
            connection: delayed(client, options.delayMilliseconds),
            role: 'dialer',
            authenticator: unauthenticated(),
          });
          sessions.add(serverSession).add(clientSession);
          await clientSession.established;
          const remote = clientSession.remoteRoot<IBenchRoot>();
          return workloads(remote, async () => {
            remote[Symbol.dispose]();
            await clientSession.terminate('benchmark done');
            await serverSession.closed;
            sessions.delete(clientSession);
            sessions.delete(serverSession);
          });
        },
        async close() {
          await Promise.all([...sessions].map((session) => session.terminate('benchmark done')));
        },
      };
    },
  };
}
