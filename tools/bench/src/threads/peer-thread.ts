/**
 * What a peer library's worker thread runs (`birpc-server.thread.ts`, `capnweb-server.thread.ts`):
 * the thread holds the application heap the measuring process holds, then serves every connection
 * the parent hands it (`startServerThread`, `../adapters/server-thread.ts`) as a link over the
 * transferred port, each message it sends `delayMilliseconds` late when that is above 0 (W3d).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { holdApplicationHeap } from '../application-heap.ts';
import { delayLink } from '../links/delayed-network.ts';
import type { Link } from '../links/link.ts';
import { MessagePortLink } from '../links/memory-network.ts';
import type { ServerConnectMessage, ServerThreadData } from './server-thread-protocol.ts';

/**
 * Serves each connection the parent sends with `serve`, until its link closes (the parent closes its
 * end when the connection closes; the port then closes here too).
 */
export function servePeerConnections(serve: (link: Link<unknown>) => void): void {
  holdApplicationHeap((workerData as ServerThreadData).applicationHeapMebibytes);
  parentPort?.on('message', ({ port, delayMilliseconds }: ServerConnectMessage) => {
    serve(delayLink(new MessagePortLink(port), delayMilliseconds));
  });
}
