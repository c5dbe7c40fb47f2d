/**
 * @msc/transport-memory: MSC transports inside one process and across threads.
 *
 * - {@link memory} is an in-process {@link Transport}: listeners are named (`memory:lobby`) in a registry, frames
 *   are handed over without copying, FIFO, in a later microtask. {@link memoryPair} makes two connected ends
 *   directly. Both take test options: an artificial one-way delay (`delayMs`), fault injection (`breakAfterFrames`,
 *   and `breakNow()` on every {@link MemoryConnection}) and a `scheduler` hook for deterministic runs.
 * - {@link messagePortConnection} carries a connection over a MessagePort (worker threads, web workers): frames
 *   are transferred, close and abort travel in-band, and a vanished peer thread is noticed on Node.
 *   {@link messagePortPair} and {@link messagePortTransport} build on it.
 *
 * @example
 * ```ts
 * import { memory, memoryPair } from '@msc/transport-memory';
 *
 * const transport = memory();
 * const listener = await transport.listen('memory:echo', (connection) => {
 *   connection.start({ frame: (frame) => connection.send(frame), closed: () => {} });
 * });
 * const connection = await transport.dial(listener.address);
 * connection.start({
 *   frame: (frame) => console.log('echoed', new TextDecoder().decode(frame)),
 *   closed: (reason) => console.log('closed', reason.code),
 * });
 * connection.send(new TextEncoder().encode('hello'));
 * setTimeout(() => void connection.close().then(() => listener.close()), 10);
 *
 * // A pair whose link dies after 3 frames: both sides then see closed() with code 'error'.
 * const [left, right] = memoryPair({ breakAfterFrames: 3 });
 * ```
 *
 * @packageDocumentation
 */

export { ConnectionBrokenError } from './connection-broken-error.ts';
export type { MemoryConnection } from './memory-connection.ts';
export type { MemoryConnectionOptions } from './memory-connection-options.ts';
export { memoryPair } from './memory-pair.ts';
export { type AcceptConnection, defaultMemoryRegistry, MemoryRegistry } from './memory-registry.ts';
export { type MemoryTransport, type MemoryTransportOptions, memory } from './memory-transport.ts';
export { type MessagePortConnectionOptions, messagePortConnection } from './message-port-connection.ts';
export type { MessagePortLike } from './message-port-like.ts';
export { messagePortPair } from './message-port-pair.ts';
export { type MessagePortTransportOptions, messagePortTransport } from './message-port-transport.ts';
