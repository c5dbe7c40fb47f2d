/**
 * @msc/transport-ws (browser build): the WebSocket transport on the native `WebSocket`, imported as
 * `@msc/transport-ws/browser` (or selected for the root import by the `browser` export condition) so that `ws` never
 * enters a browser bundle and a project without Node types type-checks. It dials only.
 *
 * @example
 * ```ts
 * import { ws } from '@msc/transport-ws/browser'; // this file
 *
 * const connection = await ws().dial('wss://game.example/msc', { timeoutMs: 5_000 });
 * connection.start({ frame: (frame) => console.log(frame), closed: (reason) => console.log(reason.code) });
 * connection.send(new TextEncoder().encode('hello'));
 * ```
 *
 * @packageDocumentation
 */

export {
  type BrowserWebSocketTransport,
  type BrowserWebSocketTransportOptions,
  ws,
} from './browser-transport.ts';
export type { WebSocketConnectionOptions } from './web-socket-options.ts';
