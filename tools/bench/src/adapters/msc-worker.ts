/**
 * @msc between this process and a worker thread: each connection spawns a worker SIP (@msc/sip) that
 * serves the same `IBenchRoot` as the in-process rows, over the MessageChannel @msc/sip sets up (small frames
 * as strings, larger ones transferred). The SIP module is TypeScript, bundled by
 * esbuild into a temporary directory at `start()` (Node 20 cannot load TypeScript into a worker).
 *
 * Not measured: W3d, since @msc/sip owns the connection to its SIP and offers no hook to delay what
 * either side sends; W5, since each session is a worker thread of its own whose heap is not in this
 * process's figures (what the parent holds alone would be only the client end).
 */
import { type Sip, spawnSip } from '@msc/sip';
import type { Adapter, Connection, Endpoint } from '../adapter.ts';
import { applicationHeapMebibytes } from '../application-heap.ts';
import { bundle } from '../bundle.ts';
import type { BenchRootInit } from '../sip/bench-root.sip.ts';
import type { IBenchRoot } from './msc-bench-root.ts';
import { mscConnection } from './msc-connection.ts';

/** The `@msc/worker` row. */
export const mscWorkerAdapter: Adapter = {
  library: '@msc',
  transport: 'worker',
  kind: 'subject',
  pipelining: true,
  notApplicable: {
    W3d: '@msc/sip has no hook to delay the frames it sends',
    W5: 'one worker thread per session; its heap is not in this process',
  },
  async start(options): Promise<Endpoint> {
    if (options.delayMilliseconds > 0) {
      throw new Error(`expected no delay (W3d is n/a for @msc/worker), got ${options.delayMilliseconds} ms`);
    }
    const modules = await bundle({ 'bench-root': new URL('../sip/bench-root.sip.ts', import.meta.url) });
    const sips = new Set<Sip<IBenchRoot>>();
    return {
      async connect(): Promise<Connection> {
        const init: BenchRootInit = { applicationHeapMebibytes: applicationHeapMebibytes() };
        const sip = spawnSip<IBenchRoot>(modules.url('bench-root'), { name: 'bench-root', init });
        sips.add(sip);
        await sip.established;
        return mscConnection(sip.root, async () => {
          sips.delete(sip);
          await sip.terminate('benchmark done');
        });
      },
      async close() {
        // terminate() is definitive: when it resolves the thread is gone.
        await Promise.all([...sips].map((sip) => sip.terminate('benchmark done')));
        sips.clear();
        await modules.remove();
      },
    };
  },
};
