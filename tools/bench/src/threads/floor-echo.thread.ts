/**
 * The worker thread of the `floor/worker` row: the MessageChannel floor's echo server, moved into a
 * worker. The parent sends `{ port, delayMilliseconds }` on `parentPort` for each connection; the
 * thread answers every message on that port with its own `valueCodec.server` (an echo, or the items and
 * chunks of a flow-controlled stream), each reply sent `delayMilliseconds` late when that is above 0, as `delayedNetwork` does
 * for the in-process floor. Bundled to JavaScript at start (Node 20 cannot load TypeScript into a
 * worker).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { valueCodec } from '../adapters/floor-value-codec.ts';
import { holdApplicationHeap } from '../application-heap.ts';
import { delayedSend } from '../links/delayed-network.ts';
import type { ServerConnectMessage, ServerThreadData } from './server-thread-protocol.ts';

holdApplicationHeap((workerData as ServerThreadData).applicationHeapMebibytes);

parentPort?.on('message', ({ port, delayMilliseconds }: ServerConnectMessage) => {
  const send = delayedSend((reply: unknown) => port.postMessage(reply), delayMilliseconds);
  port.on('message', valueCodec.server(send));
  // The parent closes its end when the connection closes; the port then closes here too.
});
