/**
 * The worker thread of the `birpc/worker` row: a birpc server per connection, messages posted as
 * they are (structured clone, as on `birpc/memory`). Bundled to JavaScript at start (Node 20 cannot
 * load TypeScript into a worker).
 */
import { serveBirpc } from '../adapters/birpc-server.ts';
import { servePeerConnections } from './peer-thread.ts';

servePeerConnections((link) => serveBirpc(link, 'structured-clone', new Map()));
