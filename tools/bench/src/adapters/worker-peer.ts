/**
 * A peer library between this process and a worker thread, as the `@msc/worker` row's root lives in
 * its SIP's thread: the server ends of every connection live in one worker thread running
 * `threadModule` (which calls `servePeerConnections`, `../threads/peer-thread.ts`); each connection is
 * a fresh MessageChannel whose far port is transferred to it. The thread module is TypeScript,
 * bundled by esbuild at `start()`. W3d delays both directions: this end through `delayLink`, the
 * thread's through the same timer per message.
 *
 * Not measured: W5, since the server ends live in the worker thread, whose heap is not in this
 * process's figures. The table check sees only what `client` reports from this side.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Adapter, Connection, Endpoint } from '../adapter.ts';
import { applicationHeapMebibytes } from '../application-heap.ts';
import { bundle } from '../bundle.ts';
import { delayLink } from '../links/delayed-network.ts';
import type { Link } from '../links/link.ts';
import { MessagePortLink } from '../links/memory-network.ts';
import type { PeerConnectMessage, PeerThreadData } from '../threads/peer-thread.ts';

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
      const modules = await bundle({ server: peer.threadModule });
      const workerData: PeerThreadData = { applicationHeapMebibytes: applicationHeapMebibytes() };
      const worker = new Worker(modules.url('server'), { execArgv: [], env: {}, workerData });
      // Started once the thread runs: a bundle that fails to load shows here, not as a hung call.
      await new Promise<void>((resolve, reject) => {
        worker.once('online', resolve);
        worker.once('error', reject);
      });
      const links = new Set<MessagePortLink>();
      // A thread that dies fails the calls waiting on it: each client rejects its calls when its link closes.
      worker.on('error', () => {
        for (const link of [...links]) link.close();
      });
      return {
        async connect(): Promise<Connection> {
          const { port1, port2 } = new MessageChannel();
          const message: PeerConnectMessage = { port: port2, delayMilliseconds };
          worker.postMessage(message, [port2]);
          const link = new MessagePortLink(port1);
          links.add(link);
          link.onClose(() => links.delete(link));
          return peer.client(delayLink(link, delayMilliseconds));
        },
        async close() {
          for (const link of [...links]) link.close();
          await worker.terminate();
          await modules.remove();
        },
      };
    },
  };
}
