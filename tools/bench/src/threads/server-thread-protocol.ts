/**
 * What the parent and a worker thread serving a row's server ends say to each other
 * (`../adapters/server-thread.ts` on the parent's side; `peer-thread.ts` and `floor-echo.thread.ts` in
 * the thread): the thread's start data, and one message per connection carrying its port.
 */
import type { MessagePort } from 'node:worker_threads';

/** What the parent starts a server thread with (`workerData`). */
export interface ServerThreadData {
  /** MiB of application state the thread holds, as the measuring process does (`application-heap.ts`). */
  readonly applicationHeapMebibytes: number;
}

/** What the parent sends for each new connection. */
export interface ServerConnectMessage {
  /** The thread's end of the connection's MessageChannel (transferred). */
  readonly port: MessagePort;
  /** One-way delay added to every message the thread sends, in milliseconds (0 for none). */
  readonly delayMilliseconds: number;
}
