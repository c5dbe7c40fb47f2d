import {
  type Connection,
  DialError,
  type DialOptions,
  ListenError,
  type Listener,
  type Transport,
} from '@msc/transport';
import { raceDial } from '@msc/transport/kit';
import { BrowserWebSocketConnection } from './browser-web-socket-connection.ts';
import {
  type WebSocketConnectionOptions,
  type WebSocketSettings,
  webSocketSettings,
} from './web-socket-options.ts';
import { parseWebSocketAddress } from './ws-address.ts';

/** Options of {@link ws} in browsers. */
export type BrowserWebSocketTransportOptions = WebSocketConnectionOptions;

/** The browser WebSocket {@link Transport}: it dials; listening is not possible in a browser. */
export interface BrowserWebSocketTransport extends Transport {
  /** Always `ws`. */
  readonly name: 'ws';
}

let connections = 0;

function dial(settings: WebSocketSettings, address: string, options: DialOptions): Promise<Connection> {
  const target = parseWebSocketAddress(address, false);
  if (typeof target === 'string') {
    return Promise.reject(
      new DialError(
        'bad-address',
        address,
        `expected a WebSocket address with ${target}, but got "${address}"`,
      ),
    );
  }
  const timeoutMs = options.timeoutMs ?? settings.connectTimeoutMs;
  return raceDial<Connection>(address, { signal: options.signal, timeoutMs }, (attempt) => {
    const socket = new WebSocket(address);
    socket.binaryType = 'arraybuffer';
    let connection: BrowserWebSocketConnection | undefined;
    // Browsers do not say why a WebSocket failed to open (no status, no error code): only that it did.
    socket.addEventListener('error', (event) => {
      if (connection === undefined) {
        attempt.fail(
          new DialError(
            'failed',
            address,
            `expected to connect to ${address}, but the WebSocket failed before it opened`,
            event,
          ),
        );
      } else {
        connection.onError(event);
      }
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      connection?.onMessage(event.data as ArrayBuffer | string);
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      if (connection === undefined) {
        attempt.fail(
          new DialError(
            'failed',
            address,
            `expected to connect to ${address}, but it closed (status ${event.code}) before it opened`,
          ),
        );
      } else {
        connection.onClose(event.code, event.reason);
      }
    });
    socket.addEventListener('open', () => {
      const origin = (globalThis as { location?: { origin?: string } }).location?.origin ?? 'unknown';
      // A page cannot see its own socket address: sessions must not bind handshakes to these.
      const opened = new BrowserWebSocketConnection(
        socket,
        settings,
        `browser:${origin}#${++connections}`,
        address,
      );
      connection = opened;
      attempt.succeed(opened);
    });
    return () => socket.close();
  });
}

/**
 * Creates a WebSocket transport on the browser's native `WebSocket`: the build the `browser` export condition
 * selects, so the `ws` package never enters a browser bundle. It dials `ws://` and `wss://` addresses; `listen()`
 * rejects with ListenError `failed`. Browsers cannot send WebSocket pings, so heartbeats are `msc:ping` text
 * messages, which the Node listener answers; the server's pings are answered by the browser itself.
 *
 * @param options limits, timeouts and heartbeats; see {@link WebSocketConnectionOptions}
 * @throws RangeError for an out-of-range `maxFrameBytes`, `idleTimeoutMs` or `heartbeatIntervalMs`
 */
export function ws(options: BrowserWebSocketTransportOptions = {}): BrowserWebSocketTransport {
  const settings = webSocketSettings(options);
  return {
    name: 'ws',
    dial: (address, dialOptions = {}) => dial(settings, address, dialOptions),
    listen: (address): Promise<Listener> =>
      Promise.reject(
        new ListenError(
          'failed',
          address,
          `expected to listen on ${address}, but browsers cannot accept connections`,
        ),
      ),
  };
}
