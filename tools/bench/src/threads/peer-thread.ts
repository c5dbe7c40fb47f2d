/**
 * What a peer library's worker thread runs (`birpc-server.thread.ts`, `capnweb-server.thread.ts`):
 * the thread holds the application heap the measuring process holds, then serves every connection
 * the parent hands it (`workerPeerAdapter`, `../adapters/worker-peer.ts`) as a link over the
 * transferred port, each message it sends `delayMilliseconds` late when that is above 0 (W3d).
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { holdApplicationHeap } from '../application-heap.ts';
import { delayLink } from '../links/delayed-network.ts';
import type { Link } from '../links/link.ts';
import { MessagePortLink } from '../links/memory-network.ts';

/** What the parent starts a peer thread with (`workerData`). */
export interface PeerThreadData {
  /** MiB of application state the thread holds, as the measuring process does (`application-heap.ts`). */
  readonly applicationHeapMebibytes: number;
}

/** What the parent sends for each new connection. */
export interface PeerConnectMessage {
  /** The thread's end of the connection's MessageChannel (transferred). */
  readonly port: MessagePort;
  /** One-way delay added to every message the thread sends, in milliseconds (0 for none). */
  readonly delayMilliseconds: number;
}

/**
 * Serves each connection the parent sends with `serve`, until its link closes (the parent closes its
 * end when the connection closes; the port then closes here too).
 */
export function servePeerConnections(serve: (link: Link<unknown>) => void): void {
  holdApplicationHeap((workerData as PeerThreadData).applicationHeapMebibytes);
  parentPort?.on('message', ({ port, delayMilliseconds }: PeerConnectMessage) => {
    serve(delayLink(new MessagePortLink(port), delayMilliseconds));
  });
}
