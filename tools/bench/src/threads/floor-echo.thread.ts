/**
 * The worker thread of the `floor/worker` row: the MessageChannel floor's echo server, moved into a
 * worker. The parent sends `{ port, delayMilliseconds }` on `parentPort` for each connection; the
 * thread answers every message on that port with its own `valueCodec.server` (an echo, or the items and
 * chunks of a flow-controlled stream), each reply sent `delayMilliseconds` late when that is above 0, as `delayedNetwork` does
 * for the in-process floor. Bundled to JavaScript at start (Node 20 cannot load TypeScript into a
 * worker).
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { valueCodec } from '../adapters/floor-value-codec.ts';
import { holdApplicationHeap } from '../application-heap.ts';
import { delayedSend } from '../links/delayed-network.ts';

/** What the parent starts the thread with (`workerData`). */
export interface FloorThreadData {
  /** MiB of application state the thread holds, as the measuring process does (`application-heap.ts`). */
  readonly applicationHeapMebibytes: number;
}

holdApplicationHeap((workerData as FloorThreadData).applicationHeapMebibytes);

/** What the parent sends for each new connection. */
export interface FloorConnectMessage {
  /** The thread's end of the connection's MessageChannel (transferred). */
  readonly port: MessagePort;
  /** One-way delay added to every reply, in milliseconds (0 for none). */
  readonly delayMilliseconds: number;
}

parentPort?.on('message', ({ port, delayMilliseconds }: FloorConnectMessage) => {
  const send = delayedSend((reply: unknown) => port.postMessage(reply), delayMilliseconds);
  port.on('message', valueCodec.server(send));
  // The parent closes its end when the connection closes; the port then closes here too.
});
