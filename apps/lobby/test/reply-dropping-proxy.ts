import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a lobby node, for "the answer was lost": it relays both
 * ways until `dropReplies()`, then still carries the client's bytes to the node but throws the
 * node's away, so the node sees a live connection and answers into the void. `close()` cuts every
 * connection.
 */
export interface ReplyDroppingProxy {
  /** `tcp:127.0.0.1:port`. */
  readonly address: string;
  readonly dropReplies: () => void;
  readonly close: () => Promise<void>;
}

/** Starts a relay to `target` (`tcp:host:port`). */
export async function replyDroppingProxy(target: string): Promise<ReplyDroppingProxy> {
  const match = /^tcp:(.+):(\d+)$/.exec(target);
  if (match === null) throw new Error(`expected tcp:host:port, got ${target}`);
  const [, host, port] = match as unknown as [string, string, string];
  const sockets = new Set<Socket>();
  let dropping = false;
  const server = createServer((client) => {
    const upstream = createConnection({ host: host.replace(/^\[|\]$/g, ''), port: Number(port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!dropping) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('expected a bound relay');
  return {
    address: `tcp:127.0.0.1:${address.port}`,
    dropReplies: () => {
      dropping = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
