/**
 * capnweb between this process and a worker thread (`workerPeerAdapter`): its server sessions in
 * `../threads/capnweb-server.thread.ts`, with capnweb's structured-clonable encoding (its MessagePort
 * transport's). The table check sees the client session's imports and exports.
 */
import type { Adapter } from '../adapter.ts';
import { capnwebClient } from './capnweb.ts';
import { workerPeerAdapter } from './worker-peer.ts';

/** The `capnweb/worker` row. */
export const capnwebWorkerAdapter: Adapter = workerPeerAdapter({
  library: 'capnweb',
  pipelining: true,
  threadModule: new URL('../threads/capnweb-server.thread.ts', import.meta.url),
  client: (link) => capnwebClient(link, 'structuredClonable'),
});
