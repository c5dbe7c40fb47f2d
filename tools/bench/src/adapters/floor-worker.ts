/**
 * The floor of the worker transport: the MessageChannel echo server (`valueCodec`) running in a worker
 * thread, with no RPC library. One worker serves every connection; each connection is a fresh
 * MessageChannel whose far port is transferred to it. Messages are plain values, structured-cloned by
 * `postMessage`, as on the `floor: MessageChannel` row. The thread module is TypeScript, bundled by
 * esbuild at `start()`. W3d delays both directions: the parent's end through `delayLink`, the thread's
 * replies with the same timer per message.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Adapter, Connection, Endpoint } from '../adapter.ts';
import { applicationHeapMebibytes } from '../application-heap.ts';
import { bundle } from '../bundle.ts';
import { delayLink } from '../links/delayed-network.ts';
import { MessagePortLink } from '../links/memory-network.ts';
import type { FloorConnectMessage, FloorThreadData } from '../threads/floor-echo.thread.ts';
import { floorConnection } from './floor.ts';
import { valueCodec } from './floor-value-codec.ts';

/** The `floor/worker` row. */
export const floorWorkerAdapter: Adapter = {
  library: 'floor: worker MessagePort',
  transport: 'worker',
  kind: 'floor',
  pipelining: true,
  notApplicable: {
    W5: 'the server ends live in the worker thread; its heap is not in this process',
  },
  async start({ delayMilliseconds }): Promise<Endpoint> {
    const modules = await bundle({
      'floor-echo': new URL('../threads/floor-echo.thread.ts', import.meta.url),
    });
    const workerData: FloorThreadData = { applicationHeapMebibytes: applicationHeapMebibytes() };
    const worker = new Worker(modules.url('floor-echo'), { execArgv: [], env: {}, workerData });
    // Started once the thread runs: a bundle that fails to load shows here, not as a hung call.
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    const links = new Set<MessagePortLink>();
    // A thread that dies fails the calls waiting on it (closing a link fails its pending requests).
    worker.on('error', () => {
      for (const link of [...links]) link.close();
    });
    return {
      async connect(): Promise<Connection> {
        const { port1, port2 } = new MessageChannel();
        const message: FloorConnectMessage = { port: port2, delayMilliseconds };
        worker.postMessage(message, [port2]);
        const link = new MessagePortLink(port1);
        links.add(link);
        link.onClose(() => links.delete(link));
        return floorConnection(delayLink(link, delayMilliseconds), valueCodec);
      },
      async close() {
        for (const link of [...links]) link.close();
        await worker.terminate();
        await modules.remove();
      },
    };
  },
};
