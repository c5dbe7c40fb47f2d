/**
 * birpc between this process and a worker thread (`workerPeerAdapter`): its server ends in
 * `../threads/birpc-server.thread.ts`, messages posted as they are (structured clone).
 */
import type { Adapter } from '../adapter.ts';
import { birpcClient } from './birpc.ts';
import { workerPeerAdapter } from './worker-peer.ts';

/** The `birpc/worker` row. */
export const birpcWorkerAdapter: Adapter = workerPeerAdapter({
  library: 'birpc',
  pipelining: false,
  threadModule: new URL('../threads/birpc-server.thread.ts', import.meta.url),
  client: (link) => birpcClient(link, 'structured-clone'),
});
