/**
 * The worker thread of the `birpc/worker` row: birpc servers, one per connection, in a worker thread
 * as the `@msc/worker` row's SIP is. The parent sends `{ port, delayMilliseconds }` on `parentPort` for
 * each connection; the thread serves `makeServerFunctions` on that port with messages posted as they are
 * (structured clone, as on the `birpc/memory` row), each sent `delayMilliseconds` late when that is above
 * 0 (W3d). Bundled to JavaScript at start (Node 20 cannot load TypeScript into a worker).
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createBirpc } from 'birpc';
import { makeServerFunctions, type ServerFunctions } from '../adapters/birpc-server-functions.ts';
import { holdApplicationHeap } from '../application-heap.ts';
import { delayedSend } from '../links/delayed-network.ts';
import type { Counter } from '../service.ts';

/** What the parent starts the thread with (`workerData`). */
export interface BirpcThreadData {
  /** MiB of application state the thread holds, as the measuring process does (`application-heap.ts`). */
  readonly applicationHeapMebibytes: number;
}

/** What the parent sends for each new connection. */
export interface BirpcConnectMessage {
  /** The thread's end of the connection's MessageChannel (transferred). */
  readonly port: MessagePort;
  /** One-way delay added to every message the server sends, in milliseconds (0 for none). */
  readonly delayMilliseconds: number;
}

holdApplicationHeap((workerData as BirpcThreadData).applicationHeapMebibytes);

parentPort?.on('message', ({ port, delayMilliseconds }: BirpcConnectMessage) => {
  const server = createBirpc<{}, ServerFunctions>(makeServerFunctions(new Map<number, Counter>()), {
    post: delayedSend((data: unknown) => port.postMessage(data), delayMilliseconds),
    on: (handler: (data: unknown) => void) => {
      port.on('message', handler);
    },
  });
  // The parent closes its end when the connection closes; the port then closes here too.
  port.on('close', () => server.$close());
});
