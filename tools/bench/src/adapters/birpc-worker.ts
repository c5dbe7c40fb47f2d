/**
 * birpc between this process and a worker thread: the server end of every connection lives in one
 * worker thread (`../threads/birpc-server.thread.ts`), as the `@msc/worker` row's root lives in its
 * SIP's thread; each connection is a fresh MessageChannel whose far port is transferred to it. Messages
 * are posted as they are (structured clone), as on the `birpc/memory` row. The thread module is
 * TypeScript, bundled by esbuild at `start()`. W3d delays both directions: this end through
 * `delayLink`, the thread's through the same timer per message.
 *
 * Not measured: W5, since the server ends live in the worker thread, whose heap is not in this
 * process's figures. The table check counts nothing here: the counters live in the thread.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Adapter, Connection, Endpoint } from '../adapter.ts';
import { applicationHeapMebibytes } from '../application-heap.ts';
import { bundle } from '../bundle.ts';
import { delayLink } from '../links/delayed-network.ts';
import { MessagePortLink } from '../links/memory-network.ts';
import type { BirpcConnectMessage, BirpcThreadData } from '../threads/birpc-server.thread.ts';
import { birpcClient } from './birpc.ts';

/** The `birpc/worker` row. */
export const birpcWorkerAdapter: Adapter = {
  library: 'birpc',
  transport: 'worker',
  kind: 'peer',
  pipelining: false,
  notApplicable: {
    W5: 'the server ends live in the worker thread; its heap is not in this process',
  },
  async start({ delayMilliseconds }): Promise<Endpoint> {
    const modules = await bundle({
      'birpc-server': new URL('../threads/birpc-server.thread.ts', import.meta.url),
    });
    const workerData: BirpcThreadData = { applicationHeapMebibytes: applicationHeapMebibytes() };
    const worker = new Worker(modules.url('birpc-server'), { execArgv: [], env: {}, workerData });
    // Started once the thread runs: a bundle that fails to load shows here, not as a hung call.
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    const links = new Set<MessagePortLink>();
    // A thread that dies fails the calls waiting on it (a closed link rejects birpc's pending calls).
    worker.on('error', () => {
      for (const link of [...links]) link.close();
    });
    return {
      async connect(): Promise<Connection> {
        const { port1, port2 } = new MessageChannel();
        const message: BirpcConnectMessage = { port: port2, delayMilliseconds };
        worker.postMessage(message, [port2]);
        const link = new MessagePortLink(port1);
        links.add(link);
        link.onClose(() => links.delete(link));
        return birpcClient(delayLink(link, delayMilliseconds), 'structured-clone');
      },
      async close() {
        for (const link of [...links]) link.close();
        await worker.terminate();
        await modules.remove();
      },
    };
  },
};
