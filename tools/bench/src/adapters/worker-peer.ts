/**
 * A peer library between this process and a worker thread, as the `@msc/worker` row's root lives in
 * its SIP's thread: the server ends of every connection live in one worker thread running
 * `threadModule` (which calls `servePeerConnections`, `../threads/peer-thread.ts`), started by
 * `startServerThread` (`server-thread.ts`). W3d delays both directions.
 *
 * Not measured: W5, since the server ends live in the worker thread, whose heap is not in this
 * process's figures. The table check sees only what `client` reports from this side.
 */
import type { Adapter, Connection, Endpoint } from '../adapter.ts';
import type { Link } from '../links/link.ts';
import { startServerThread } from './server-thread.ts';

/** What makes a peer's worker row. */
export interface WorkerPeer {
  readonly library: string;
  readonly pipelining: boolean;
  /** The thread module (TypeScript), which serves each connection. */
  readonly threadModule: URL;
  /** The client side of one connection over `link`; its `close` closes the link. */
  client(link: Link<unknown>): Connection;
}

/** The `<library>/worker` row of `peer`. */
export function workerPeerAdapter(peer: WorkerPeer): Adapter {
  return {
    library: peer.library,
    transport: 'worker',
    kind: 'peer',
    pipelining: peer.pipelining,
    notApplicable: {
      W5: 'the server ends live in the worker thread; its heap is not in this process',
    },
    async start({ delayMilliseconds }): Promise<Endpoint> {
      const thread = await startServerThread(peer.threadModule, delayMilliseconds);
      return {
        connect: async () => peer.client(thread.connect()),
        close: () => thread.close(),
      };
    },
  };
}
