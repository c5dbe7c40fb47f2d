/**
 * The parent's side of a worker thread that serves a row's server ends (a peer's, `worker-peer.ts`, or
 * the worker floor's, `floor-worker.ts`): the thread module is TypeScript, bundled by esbuild at start;
 * each connection is a fresh MessageChannel whose far port is transferred to the thread
 * (`../threads/server-thread-protocol.ts`). This end's sends are delayed by `delayMilliseconds` (W3d);
 * the thread delays its own.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { applicationHeapMebibytes } from '../application-heap.ts';
import { bundle } from '../bundle.ts';
import { delayLink } from '../links/delayed-network.ts';
import type { Link } from '../links/link.ts';
import { MessagePortLink } from '../links/memory-network.ts';
import type { ServerConnectMessage, ServerThreadData } from '../threads/server-thread-protocol.ts';

/** A started server thread. */
export interface ServerThread {
  /** This end of a new connection to the thread. */
  connect(): Link<unknown>;
  /** Closes every connection, ends the thread and deletes its bundle. */
  close(): Promise<void>;
}

/** Starts `threadModule` in a worker thread; resolves once it runs (a bundle that fails to load rejects here). */
export async function startServerThread(threadModule: URL, delayMilliseconds: number): Promise<ServerThread> {
  const modules = await bundle({ server: threadModule });
  const workerData: ServerThreadData = { applicationHeapMebibytes: applicationHeapMebibytes() };
  const worker = new Worker(modules.url('server'), { execArgv: [], env: {}, workerData });
  // Started once the thread runs: a bundle that fails to load shows here, not as a hung call.
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  const links = new Set<MessagePortLink>();
  // A thread that dies fails the calls waiting on it: each client fails its calls when its link closes.
  worker.on('error', () => {
    for (const link of [...links]) link.close();
  });
  return {
    connect() {
      const { port1, port2 } = new MessageChannel();
      const message: ServerConnectMessage = { port: port2, delayMilliseconds };
      worker.postMessage(message, [port2]);
      const link = new MessagePortLink(port1);
      links.add(link);
      link.onClose(() => links.delete(link));
      return delayLink(link, delayMilliseconds);
    },
    async close() {
      for (const link of [...links]) link.close();
      await worker.terminate();
      await modules.remove();
    },
  };
}
