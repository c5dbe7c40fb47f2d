/**
 * @msc/transport-tcp: an MSC transport over TCP (`node:net`), or TLS (`node:tls`). Frames travel with a 4-byte
 * big-endian length prefix; frames sent in one turn go out in one socket write; heartbeats find dead peers; TLS
 * takes the usual certificate options. Addresses are `tcp:host:port` and `tcp:[v6]:port`.
 *
 * @example
 * ```ts
 * import { tcp } from '@msc/transport-tcp';
 *
 * const transport = tcp({ idleTimeoutMs: 15_000 });
 * const listener = await transport.listen('tcp:127.0.0.1:0', (connection) => {
 *   connection.start({ frame: (frame) => connection.send(frame), closed: () => {} }); // an echo server
 * });
 * const connection = await transport.dial(listener.address, { timeoutMs: 5_000 });
 * connection.start({
 *   frame: (frame) => console.log('echoed', new TextDecoder().decode(frame)),
 *   closed: (reason) => console.log('closed', reason.code),
 * });
 * connection.send(new TextEncoder().encode('hello'));
 * setTimeout(() => void connection.close().then(() => listener.close()), 100);
 * ```
 *
 * @packageDocumentation
 */

export type { TcpConnection } from './tcp-connection.ts';
export { type TcpTransport, tcp } from './tcp-transport.ts';
export type { TcpTlsOptions, TcpTransportOptions } from './tcp-transport-options.ts';
