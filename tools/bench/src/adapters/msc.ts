/**
 * @msc over its own transports: `message-port` runs the session over a MessageChannel (the same
 * medium the peers' "memory" rows use), `in-process` over `memoryPair()` (no MessageChannel: what
 * two components in one thread get), and `tcp` / `websocket` through a `Scope` over
 * @msc/transport-tcp and @msc/transport-ws on 127.0.0.1. Pipelining is native; streams are
 * `Sequence` and `Bytes` with the consumer's flow control. The 1 ms delay of W3d wraps each side's
 * `send`, as for peers.
 */
import { proxy } from '@msc/eventual';
import { type CallTracer, Scope, Session, unauthenticated } from '@msc/session';
import type { Connection as FrameConnection, Transport } from '@msc/transport';
import { memoryPair, messagePortPair } from '@msc/transport-memory';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';
import type { Adapter, Connection, Endpoint } from '../adapter.ts';
import { delayedSend } from '../links/delayed-network.ts';
import { importUnnamed } from '../unnamed-import.ts';
import { BenchRoot, type IBenchRoot } from './msc-bench-root.ts';
import { mscConnection } from './msc-connection.ts';
import type * as LocalCalls from './msc-local-calls.ts';

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

/** @msc through scopes over a network transport on 127.0.0.1 (with `callTracer`: every call traced). */
export function mscNetworkAdapter(kind: 'tcp' | 'websocket', callTracer?: CallTracer): Adapter {
  const traced = callTracer === undefined ? {} : { callTracer };
  return {
    library: callTracer === undefined ? '@msc' : '@msc traced',
    transport: kind,
    kind: 'subject',
    pipelining: true,
    async start(options): Promise<Endpoint> {
      const transport = delayedTransport(kind === 'tcp' ? tcp() : ws(), options.delayMilliseconds);
      const root = proxy<IBenchRoot>(new BenchRoot());
      const server = new Scope({ transport, authenticator: unauthenticated(), root, ...traced });
      root[Symbol.dispose]();
      const listener = await server.listen(kind === 'tcp' ? 'tcp:127.0.0.1:0' : 'ws://127.0.0.1:0/msc');
      const clients = new Set<Scope>();
      return {
        async connect(): Promise<Connection> {
          const client = new Scope({ transport, authenticator: unauthenticated(), ...traced });
          clients.add(client);
          const session = await client.session(listener.address);
          const remote = session.remoteRoot<IBenchRoot>();
          return mscConnection(
            remote,
            async () => {
              remote[Symbol.dispose]();
              clients.delete(client);
              await client.close('benchmark done');
            },
            // The server scope's sessions: this one, and W5's while they close.
            () => ({ client: [session], server: server.sessions }),
          );
        },
        async close() {
          await Promise.all([...clients].map((client) => client.close('benchmark done')));
          await server.close('benchmark done');
        },
      };
    },
  };
}

/**
 * @msc over `medium`, one session pair per connection. With `callTracer` both sessions trace every
 * call (the `@msc-traced/…` rows: the cost of tracing, issue 20).
 */
export function mscAdapter(medium: Medium, callTracer?: CallTracer): Adapter {
  const traced = callTracer === undefined ? {} : { callTracer };
  return {
    // The in-process row has no MessageChannel in between, unlike every peer's "memory" row.
    library: `${medium === 'in-process' ? '@msc (in-process, no MessageChannel)' : '@msc'}${callTracer === undefined ? '' : ' traced'}`,
    transport: 'memory',
    kind: 'subject',
    pipelining: true,
    async start(options): Promise<Endpoint> {
      const sessions = new Set<Session>();
      // The local-call rows (L1, L2) measure no transport: the in-process row carries them, timed
      // as plain JavaScript like the floors beside them (see `unnamed-import.ts`).
      const timeLocalCalls =
        medium === 'in-process' && callTracer === undefined
          ? (await importUnnamed<typeof LocalCalls>(new URL('./msc-local-calls.ts', import.meta.url)))
              .timeLocalCalls
          : undefined;
      return {
        async connect(): Promise<Connection> {
          const [client, server] = medium === 'in-process' ? memoryPair() : messagePortPair();
          const root = proxy<IBenchRoot>(new BenchRoot());
          const serverSession = new Session({
            connection: delayed(server, options.delayMilliseconds),
            role: 'listener',
            authenticator: unauthenticated(),
            root,
            ...traced,
          });
          root[Symbol.dispose]();
          const clientSession = new Session({
            connection: delayed(client, options.delayMilliseconds),
            role: 'dialer',
            authenticator: unauthenticated(),
            ...traced,
          });
          sessions.add(serverSession).add(clientSession);
          await clientSession.established;
          const remote = clientSession.remoteRoot<IBenchRoot>();
          const connection = mscConnection(
            remote,
            async () => {
              remote[Symbol.dispose]();
              await clientSession.terminate('benchmark done');
              await serverSession.closed;
              sessions.delete(clientSession);
              sessions.delete(serverSession);
            },
            () => ({ client: [clientSession], server: [serverSession] }),
          );
          return timeLocalCalls === undefined ? connection : { ...connection, timeLocalCalls };
        },
        async close() {
          await Promise.all([...sessions].map((session) => session.terminate('benchmark done')));
        },
      };
    },
  };
}
