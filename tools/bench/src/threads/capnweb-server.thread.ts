/**
 * The worker thread of the `capnweb/worker` row: a capnweb session serving `RootTarget` per
 * connection, with capnweb's structured-clonable encoding (as its MessagePort transport and the
 * `capnweb/memory` row). Bundled to JavaScript at start (Node 20 cannot load TypeScript into a worker).
 */
import { RpcSession } from 'capnweb';
import { linkTransport, RootTarget } from '../adapters/capnweb-server.ts';
import { servePeerConnections } from './peer-thread.ts';

// The session lives as long as its link: it ends when receive() rejects.
servePeerConnections((link) => new RpcSession(linkTransport(link, 'structuredClonable'), new RootTarget()));
