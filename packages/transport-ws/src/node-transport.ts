import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import {
  type Connection,
  DialError,
  type DialOptions,
  ListenError,
  type Listener,
  type ListenOptions,
  type Logger,
  type Transport,
} from '@msc/transport';
import {
  handOverConnection,
  listenServer,
  logSafely,
  raceDial,
  socketDialFailure,
  socketListenFailure,
} from '@msc/transport/kit';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import { nodeDriver, wireNodeEvents } from './node-driver.ts';
import { addUpgradeRoute } from './upgrade-router.ts';
import { WebSocketConnection } from './web-socket-connection.ts';
import {
  type WebSocketConnectionOptions,
  type WebSocketSettings,
  webSocketSettings,
} from './web-socket-options.ts';
import { formatWebSocketAddress, parseWebSocketAddress } from './ws-address.ts';

/** TLS settings for `wss:` (Node). */
export interface WebSocketTlsOptions {
  /** Private key (PEM) of a `wss:` listener on its own port. */
  key?: SecureContextOptions['key'] | undefined;
  /** Certificate chain (PEM) that goes with `key`. */
  cert?: SecureContextOptions['cert'] | undefined;
  /** Certificates a dialer trusts instead of the system's (PEM): a self-signed certificate, a private CA. */
  ca?: SecureContextOptions['ca'] | undefined;
  /** Whether a dialer refuses a server whose certificate does not verify. Default `true`; off only in tests. */
  rejectUnauthorized?: boolean | undefined;
}

/** Options of {@link ws} on Node. */
export interface WebSocketTransportOptions extends WebSocketConnectionOptions {
  /**
   * Listen on this existing `http.Server` (or `https.Server`) instead of a port of our own: `listen()` takes the
   * path from its address (`ws://host:0/msc`, or just `/msc`) and `listener.address` names the server's real
   * address. Several paths can share one server; upgrade requests for other paths are left to other `upgrade`
   * listeners (or answered 404 when there are none). Closing the listener leaves the server running. The server
   * may still be starting (`http.createServer(handler).listen(8080)` just before): `listen()` then resolves once
   * it listens, and rejects if it fails to (`address-in-use`, `failed`), closes, or the `signal` aborts first.
   */
  server?: HttpServer | HttpsServer | undefined;
  /**
   * Browser origins a listener accepts (exact `Origin` header values, like `https://game.example`). A request with
   * another `Origin` gets 403; a request without one (a non-browser client) is accepted. Default: any origin.
   * A function is asked at each upgrade instead, for a set that changes while the listener runs (the
   * pages of a cluster's other nodes, say); one that throws or answers anything but `true` refuses.
   */
  allowedOrigins?: readonly string[] | ((origin: string) => boolean) | undefined;
  /** TLS for `wss:` addresses: key and certificate to listen, trusted certificates to dial. */
  tls?: WebSocketTlsOptions | undefined;
  /**
   * The most sockets each listener holds at once. On a port of its own that is every socket of its HTTP server
   * (upgraded, mid-handshake or idle), and one past the limit is closed on arrival before anything reads from it;
   * on an attached `server` it is the upgrade requests for the listener's path, and one past the limit is answered
   * HTTP 503. Refusals are counted in `listener.stats().refused`; the limit frees up as connections close. Keep it
   * below the process's open-file limit (`ulimit -n`) minus what the rest of the process needs. Default 16 384.
   */
  maxConnections?: number | undefined;
  /**
   * Where listeners report, as structured events (see `Logger` of `@msc/transport`; `console` and pino fit as they
   * are), at level warn, each naming `transport: 'ws'` and the `remoteAddress`: `connection-refused` with `limit:
   * 'maxConnections'` and its `value` (closed on arrival, or answered 503 on an attached server), or with `reason:
   * 'origin'` and the refused `origin` (answered 403). Default: nothing is logged.
   */
  logger?: Logger | undefined;
}

/** Default {@link WebSocketTransportOptions.maxConnections}: 16 384 sockets per listener. */
const defaultMaxConnections = 16_384;

/** The WebSocket {@link Transport}. */
export interface WebSocketTransport extends Transport {
  /** Always `ws`. */
  readonly name: 'ws';
}

function dial(
  settings: WebSocketSettings,
  options: WebSocketTransportOptions,
  address: string,
  dialOptions: DialOptions,
): Promise<Connection> {
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
  const timeoutMs = dialOptions.timeoutMs ?? settings.connectTimeoutMs;
  return raceDial<Connection>(address, { signal: dialOptions.signal, timeoutMs }, (attempt) => {
    const tls = options.tls;
    const clientOptions: ClientOptions = {
      maxPayload: settings.maxFrameBytes,
      perMessageDeflate: false,
      // The connection answers pings itself, within its output budget.
      autoPong: false,
      handshakeTimeout: timeoutMs,
      ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls?.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
    };
    const webSocket = new WebSocket(address, clientOptions);
    let socket: Socket | undefined;
    webSocket.on('upgrade', (response) => {
      socket = response.socket as Socket;
    });
    webSocket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      attempt.fail(
        new DialError(
          status === 404 ? 'refused' : 'failed',
          address,
          `expected ${address} to accept a WebSocket, but it answered HTTP ${status}${status === 404 ? ' (nothing listens on that path)' : ''}`,
        ),
      );
    });
    webSocket.on('error', (error) => attempt.fail(socketDialFailure(address, error)));
    webSocket.on('open', () => {
      webSocket.removeAllListeners();
      const rawSocket = socket!;
      const connection = new WebSocketConnection(nodeDriver(webSocket, rawSocket), settings, {
        local: formatWebSocketAddress(target.secure, rawSocket.localAddress, rawSocket.localPort),
        remote: address,
      });
      wireNodeEvents(webSocket, connection);
      attempt.succeed(connection);
    });
    return () => {
      webSocket.removeAllListeners();
      webSocket.on('error', () => {});
      webSocket.terminate();
    };
  });
}

/**
 * Waits for an attached server that is not listening yet: `server.listen()` binds asynchronously, so a server
 * made and started on the line before is not listening when we get it. Its `error` becomes our rejection while
 * we wait (so an `EADDRINUSE` does not go unhandled). A server whose `listen()` is never called keeps this
 * waiting, as it keeps its own `listening` event waiting: the `signal` bounds it.
 */
function whenListening(server: HttpServer | HttpsServer, address: string, signal: AbortSignal | undefined) {
  return new Promise<void>((resolve, reject) => {
    const settle = (): void => {
      server.off('listening', onListening);
      server.off('error', onError);
      server.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const onListening = (): void => {
      settle();
      resolve();
    };
    const onError = (error: Error): void => {
      settle();
      reject(socketListenFailure(address, error, 'the given http server to start listening'));
    };
    const onClose = (): void => {
      settle();
      reject(
        new ListenError(
          'failed',
          address,
          'expected the given http server to start listening, but it closed',
        ),
      );
    };
    const onAbort = (): void => {
      settle();
      reject(
        new ListenError('aborted', address, `expected to listen on ${address}, but the signal was aborted`),
      );
    };
    server.once('listening', onListening);
    server.once('error', onError);
    server.once('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function listen(
  settings: WebSocketSettings,
  maxConnections: number,
  options: WebSocketTransportOptions,
  address: string,
  onConnection: (connection: Connection) => void,
  listenOptions: ListenOptions,
): Promise<Listener> {
  const attached = options.server;
  const target =
    attached !== undefined && address.startsWith('/') ? undefined : parseWebSocketAddress(address, true);
  if (typeof target === 'string') {
    throw new ListenError(
      'bad-address',
      address,
      `expected a WebSocket address with ${target}, but got "${address}"`,
    );
  }
  const path = target === undefined ? address.split('?')[0]! : target.path.split('?')[0]!;
  const { signal } = listenOptions;
  if (signal?.aborted)
    throw new ListenError('aborted', address, `expected to listen on ${address}, but the signal was aborted`);
  let server: HttpServer | HttpsServer;
  let secure: boolean;
  if (attached !== undefined) {
    server = attached;
    secure = 'setSecureContext' in attached;
    if (!server.listening) await whenListening(server, address, signal);
  } else {
    secure = target!.secure;
    if (secure && (options.tls?.key === undefined || options.tls.cert === undefined)) {
      throw new ListenError(
        'failed',
        address,
        'expected tls.key and tls.cert to listen on a wss: address, but they are missing',
      );
    }
    server = secure
      ? createHttpsServer({ key: options.tls!.key, cert: options.tls!.cert })
      : createHttpServer();
    // Plain HTTP requests to a WebSocket-only port get a clear answer.
    server.on('request', (_request, response) => {
      response.writeHead(426, { Connection: 'close', Upgrade: 'websocket' }).end();
    });
    await listenServer(server, address, target!.host, target!.port);
  }
  let connections = 0;
  let refused = 0;
  const logRefusal = (remoteAddress: string): void =>
    logSafely(
      options.logger,
      'warn',
      {
        event: 'connection-refused',
        transport: 'ws',
        limit: 'maxConnections',
        value: maxConnections,
        remoteAddress,
      },
      `connection-refused: ws ${remoteAddress}: the listener holds ${maxConnections} connections (maxConnections)`,
    );
  const count = (socket: Socket): void => {
    connections += 1;
    socket.once('close', () => {
      connections -= 1;
    });
  };
  if (attached === undefined) {
    // Every socket of our own server counts, upgraded or not: past the limit node:net closes the new handle before
    // anything reads from it, and emits 'drop'.
    server.maxConnections = maxConnections;
    server.on('drop', (dropped?: { remoteAddress?: string; remotePort?: number }) => {
      refused += 1;
      logRefusal(formatWebSocketAddress(secure, dropped?.remoteAddress, dropped?.remotePort));
    });
    server.on('connection', count);
  }
  const bound = server.address() as AddressInfo;
  const listenerAddress = formatWebSocketAddress(secure, bound.address, bound.port, path);
  const webSocketServer = new WebSocketServer({
    noServer: true,
    maxPayload: settings.maxFrameBytes,
    perMessageDeflate: false,
    // The connection answers pings itself, within its output budget.
    autoPong: false,
  });
  let closing = false;
  const unroute = addUpgradeRoute(server, path, {
    webSocketServer,
    allowedOrigins: options.allowedOrigins,
    refusedOrigin: (origin, socket) => {
      const remoteAddress = formatWebSocketAddress(secure, socket.remoteAddress, socket.remotePort);
      const shown = origin.slice(0, 200);
      logSafely(
        options.logger,
        'warn',
        { event: 'connection-refused', transport: 'ws', reason: 'origin', origin: shown, remoteAddress },
        `connection-refused: ws ${remoteAddress}: origin ${JSON.stringify(shown)} is not in allowedOrigins (HTTP 403)`,
      );
    },
    admit: (socket) => {
      // Our own server counts (and bounds) its sockets itself; on a shared server we count the upgrades we take.
      if (attached === undefined) return true;
      if (connections >= maxConnections) {
        refused += 1;
        logRefusal(formatWebSocketAddress(secure, socket.remoteAddress, socket.remotePort));
        return false;
      }
      count(socket);
      return true;
    },
    accept: (webSocket, request, socket) => {
      webSocket.on('error', () => {}); // until wireNodeEvents takes over, and after terminate()
      if (closing) {
        webSocket.terminate();
        return;
      }
      let connection: WebSocketConnection;
      try {
        connection = new WebSocketConnection(nodeDriver(webSocket, socket), settings, {
          local: listenerAddress,
          remote: formatWebSocketAddress(secure, request.socket.remoteAddress, request.socket.remotePort),
        });
      } catch {
        // A socket that failed between the upgrade and here costs only itself.
        webSocket.terminate();
        return;
      }
      wireNodeEvents(webSocket, connection);
      handOverConnection(connection, onConnection);
    },
  });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const close = (): Promise<void> => {
    if (!closing) {
      closing = true;
      signal?.removeEventListener('abort', onAbort);
      unroute();
      // Our own server stops accepting at once; connections already upgraded stay up.
      if (attached === undefined) server.close();
      resolveClosed();
    }
    return closed;
  };
  const onAbort = () => void close();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (attached === undefined) server.on('error', () => void close());
  return {
    address: listenerAddress,
    close,
    closed,
    stats: () => ({ connections, refused, maxConnections }),
  };
}

/**
 * Creates a WebSocket transport for Node (`ws`). Addresses are `ws://host:port/path` and `wss://…`; one binary
 * message carries one frame.
 *
 * - Listeners run on a port of their own (`listen('ws://127.0.0.1:0/msc')`) or on an existing `http.Server` under a
 *   path (`server` option), and can restrict browser origins (`allowedOrigins`).
 * - Messages sent in one turn leave in one socket write (the socket is corked until the turn ends).
 * - Pings find a peer that vanished: the connection closes with code `timeout` after `idleTimeoutMs` of silence.
 * - `close()` runs the WebSocket closing handshake, carrying the code and message; `abort()` sends a close frame
 *   with status 4001 when little is queued, else terminates the socket.
 * - Each listener holds at most `maxConnections` sockets; refusals are counted in `listener.stats().refused`.
 * - Whatever arrives on a listener's sockets (a malformed request-target, bad headers, a failed TLS handshake) is
 *   answered with an HTTP error or ends that socket; it never throws out of the HTTP server.
 *
 * In browsers, the `browser` export condition selects a build on the native `WebSocket` instead (dial only).
 *
 * @param options limits, timeouts, heartbeats, TLS, and listener settings; see {@link WebSocketTransportOptions}
 * @throws RangeError for an out-of-range `maxFrameBytes`, `idleTimeoutMs`, `heartbeatIntervalMs` or
 *   `maxConnections`
 */
export function ws(options: WebSocketTransportOptions = {}): WebSocketTransport {
  const settings = webSocketSettings(options);
  const maxConnections = options.maxConnections ?? defaultMaxConnections;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new RangeError(
      `expected maxConnections to be a whole number of 1 or more, but got ${maxConnections}`,
    );
  }
  return {
    name: 'ws',
    dial: (address, dialOptions = {}) => dial(settings, options, address, dialOptions),
    listen: (address, onConnection, listenOptions = {}) =>
      listen(settings, maxConnections, options, address, onConnection, listenOptions),
  };
}
