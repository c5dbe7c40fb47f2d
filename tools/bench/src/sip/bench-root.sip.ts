/**
 * The SIP of the `@msc/worker` row: serves the same `IBenchRoot` as the in-process @msc rows, from a
 * worker thread. Node 20 cannot load TypeScript into a worker, so the adapter bundles this file to
 * JavaScript with esbuild when it starts (`../bundle.ts`).
 */
import { proxy } from '@msc/eventual';
import { runSip } from '@msc/sip';
import { BenchRoot, type IBenchRoot } from '../adapters/msc-bench-root.ts';
import { holdApplicationHeap } from '../application-heap.ts';

/** What the adapter starts the SIP with. */
export interface BenchRootInit {
  /** MiB of application state the thread holds, as the measuring process does (`application-heap.ts`). */
  readonly applicationHeapMebibytes: number;
}

runSip<unknown, BenchRootInit>(({ init }) => {
  holdApplicationHeap(init.applicationHeapMebibytes);
  return proxy<IBenchRoot>(new BenchRoot());
});
