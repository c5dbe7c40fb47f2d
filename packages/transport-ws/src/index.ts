/**
 * @msc/transport-ws: an MSC transport over WebSocket. On Node it uses `ws` to listen (on its own port or on an
 * existing `http.Server` under a path) and to dial; in browsers the `browser` export condition selects a build on
 * the native `WebSocket` (dial only), so `ws` never enters a browser bundle. One binary message is one frame;
 * pings find dead peers; `wss:` takes the usual certificate options.
 *
 * @example
 * ```ts
 * import { ws } from '@msc/transport-ws';
 *
 * const transport = ws({ idleTimeoutMs: 15_000 });
 * const listener = await transport.listen('ws://127.0.0.1:0/echo', (connection) => {
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

export {
  type WebSocketTlsOptions,
  type WebSocketTransport,
  type WebSocketTransportOptions,
  ws,
} from './node-transport.ts';
export type { WebSocketConnectionOptions } from './web-socket-options.ts';
