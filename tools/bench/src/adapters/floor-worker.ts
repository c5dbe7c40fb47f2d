/**
 * The floor of the worker transport: the MessageChannel echo server (`valueCodec`) running in a worker
 * thread, with no RPC library. One worker serves every connection; each connection is a fresh
 * MessageChannel whose far port is transferred to it. Messages are plain values, structured-cloned by
 * `postMessage`, as on the `floor: MessageChannel` row. The thread module is TypeScript, bundled by
 * esbuild at `start()` (`startServerThread`, `server-thread.ts`). W3d delays both directions: the parent's
 * end through `delayLink`, the thread's replies with the same timer per message.
 */
import type { Adapter, Endpoint } from '../adapter.ts';
import { floorConnection } from './floor.ts';
import { valueCodec } from './floor-value-codec.ts';
import { startServerThread } from './server-thread.ts';

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
    const thread = await startServerThread(
      new URL('../threads/floor-echo.thread.ts', import.meta.url),
      delayMilliseconds,
    );
    return {
      connect: async () => floorConnection(thread.connect(), valueCodec),
      close: () => thread.close(),
    };
  },
};
