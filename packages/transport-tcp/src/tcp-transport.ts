import {
  type AddressInfo,
  connect as connectTcp,
  createServer as createTcpServer,
  type Server,
  type Socket,
} from 'node:net';
import {
  connect as connectTls,
  createServer as createTlsServer,
  type ConnectionOptions as TlsConnectionOptions,
} from 'node:tls';
import {
  DialError,
  type DialOptions,
  ListenError,
  type Listener,
  type ListenOptions,
  type Transport,
} from '@msc/transport';
import {
  defaultMaxBufferedBytes,
  handOverConnection,
  heartbeatSettings,
  listenServer,
  logSafely,
  raceDial,
  socketDialFailure,
} from '@msc/transport/kit';
import { formatTcpAddress, parseTcpAddress } from './tcp-address.ts';
import { type TcpConnection, TcpSocketConnection } from './tcp-connection.ts';
import {
  defaultConnectTimeoutMs,
  defaultMaxConnections,
  defaultMaxFrameBytes,
  type TcpSettings,
  type TcpTransportOptions,
} from './tcp-transport-options.ts';
import { largestMaxFrameBytes } from './wire-format.ts';

/** The TCP {@link Transport}; its connections are {@link TcpConnection}s. */
export interface TcpTransport extends Transport {
  /** Always `tcp`, the scheme of its addresses. */
  readonly name: 'tcp';
  /** Whether it listens and dials with TLS. */
  readonly encrypted: boolean;
  /**
   * Connects to `tcp:host:port` (or `tcp:[v6]:port`; the `tcp:` prefix may be left out), with TLS when the
   * transport has `tls`. Resolves once the connection (and the TLS handshake) is up.
   *
   * @throws DialError `bad-address` (malformed address), `refused` (nothing listens), `timeout` (`timeoutMs`, else
   *   `connectTimeoutMs`), `aborted` (the signal), `unreachable` (unknown host, no route), `failed` (anything else,
   *   a certificate that does not verify among them; see `cause`).
   */
  dial(address: string, options?: DialOptions): Promise<TcpConnection>;
  /**
   * Listens on `tcp:host:port`; port 0 picks a free port, and `listener.address` has the real one. `onConnection`
   * gets each accepted connection (after its TLS handshake, with `tls`).
   *
   * @throws ListenError `bad-address`, `address-in-use`, `aborted`, `failed` (for example a host that is not one of
   *   this machine's addresses, or `tls` without `key` and `cert`).
   */
  listen(
    address: string,
    onConnection: (connection: TcpConnection) => void,
    options?: ListenOptions,
  ): Promise<Listener>;
}

function settingsFrom(options: TcpTransportOptions): TcpSettings {
  const maxFrameBytes = options.maxFrameBytes ?? defaultMaxFrameBytes;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0 || maxFrameBytes > largestMaxFrameBytes) {
    throw new RangeError(
      `expected maxFrameBytes to be an integer from 0 to ${largestMaxFrameBytes}, but got ${maxFrameBytes}`,
    );
  }
  const { idleTimeoutMs, heartbeatIntervalMs } = heartbeatSettings(options);
  const maxConnections = options.maxConnections ?? defaultMaxConnections;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new RangeError(
      `expected maxConnections to be a whole number of 1 or more, but got ${maxConnections}`,
    );
  }
  return {
    maxFrameBytes,
    lowWaterMarkBytes: options.lowWaterMarkBytes ?? 64 * 1024,
    maxBufferedBytes: options.maxBufferedBytes ?? defaultMaxBufferedBytes,
    receiveBufferBytes: options.receiveBufferBytes ?? 1024 * 1024,
    idleTimeoutMs,
    heartbeatIntervalMs,
    connectTimeoutMs: options.connectTimeoutMs ?? defaultConnectTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? 5_000,
    keepAliveDelayMs: options.keepAliveDelayMs,
    noDelay: options.noDelay ?? true,
    maxConnections,
    tls: options.tls,
    scheduler: options.scheduler,
    logger: options.logger,
  };
}

function dial(settings: TcpSettings, address: string, options: DialOptions): Promise<TcpConnection> {
  const target = parseTcpAddress(address, false);
  if (typeof target === 'string') {
    return Promise.reject(new DialError('bad-address', address, target));
  }
  const timeoutMs = options.timeoutMs ?? settings.connectTimeoutMs;
  return raceDial<TcpConnection>(address, { signal: options.signal, timeoutMs }, (attempt) => {
    const tls = settings.tls;
    let socket: Socket;
    if (tls === undefined) {
      socket = connectTcp({ host: target.host, port: target.port, allowHalfOpen: true });
    } else {
      // allowHalfOpen is honoured by tls.connect() (it passes it to the socket) though its type does not list it.
      const tlsOptions: TlsConnectionOptions & { allowHalfOpen: boolean } = {
        host: target.host,
        port: target.port,
        allowHalfOpen: true,
        ...(tls.key === undefined ? {} : { key: tls.key }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.ca === undefined ? {} : { ca: tls.ca }),
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
        // SNI must not carry an IP address; the certificate check still compares against the host.
        ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
        ...tls.dialer,
      };
      socket = connectTls(tlsOptions);
    }
    const connectEvent = tls === undefined ? 'connect' : 'secureConnect';
    const onError = (error: Error) => attempt.fail(socketDialFailure(address, error));
    const onConnect = () => {
      socket.off('error', onError);
      attempt.succeed(new TcpSocketConnection(socket, settings));
    };
    socket.once('error', onError);
    socket.once(connectEvent, onConnect);
    return () => {
      socket.off('error', onError);
      socket.off(connectEvent, onConnect);
      socket.destroy();
    };
  });
}

async function listen(
  settings: TcpSettings,
  address: string,
  onConnection: (connection: TcpConnection) => void,
  options: ListenOptions,
): Promise<Listener> {
  const target = parseTcpAddress(address, true);
  if (typeof target === 'string') {
    throw new ListenError('bad-address', address, target);
  }
  const { signal } = options;
  if (signal?.aborted)
    throw new ListenError('aborted', address, `expected to listen on ${address}, but the signal was aborted`);
  const tls = settings.tls;
  let server: Server;
  if (tls === undefined) {
    server = createTcpServer({ allowHalfOpen: true });
  } else {
    if (tls.key === undefined && tls.listener?.key === undefined && tls.listener?.pfx === undefined) {
      throw new ListenError(
        'failed',
        address,
        'expected tls.key and tls.cert to listen with TLS, but there was no key',
      );
    }
    server = createTlsServer({
      allowHalfOpen: true,
      handshakeTimeout: settings.connectTimeoutMs,
      ...(tls.key === undefined ? {} : { key: tls.key }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      ...tls.listener,
    });
    // A client that fails its handshake costs only its own socket (node:tls destroys it); the logger hears of it.
    server.on('tlsClientError', (error: Error & { code?: string }, socket: Socket) => {
      const remoteAddress = formatTcpAddress(socket.remoteAddress, socket.remotePort);
      logSafely(
        settings.logger,
        'warn',
        {
          event: 'handshake-failed',
          transport: 'tcp',
          step: 'tls',
          code: error.code,
          message: error.message,
          remoteAddress,
        },
        `handshake-failed: tcp ${remoteAddress}: TLS: ${error.message}`,
      );
    });
  }
  // Bounds the sockets this listener holds (its file descriptors), TLS handshakes in progress included: past the
  // limit node:net closes the new handle before anything reads from it, and emits 'drop'.
  server.maxConnections = settings.maxConnections;
  let connections = 0;
  let refused = 0;
  server.on('drop', (dropped?: { remoteAddress?: string; remotePort?: number }) => {
    refused += 1;
    const remoteAddress = formatTcpAddress(dropped?.remoteAddress, dropped?.remotePort);
    logSafely(
      settings.logger,
      'warn',
      {
        event: 'connection-refused',
        transport: 'tcp',
        limit: 'maxConnections',
        value: settings.maxConnections,
        remoteAddress,
      },
      `connection-refused: tcp ${remoteAddress}: the listener holds ${settings.maxConnections} connections (maxConnections)`,
    );
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    socket.once('close', () => {
      connections -= 1;
    });
  });
  let closing = false;
  server.on(tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    let connection: TcpSocketConnection;
    try {
      connection = new TcpSocketConnection(socket, settings);
    } catch {
      // A socket that failed between accept and here (its handle already gone) costs only itself.
      socket.destroy();
      return;
    }
    handOverConnection(connection, onConnection);
  });
  await listenServer(server, address, target.host, target.port);
  const bound = server.address() as AddressInfo;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const close = (): Promise<void> => {
    if (!closing) {
      closing = true;
      signal?.removeEventListener('abort', onAbort);
      // Stops accepting at once; connections already accepted stay up (the server's own 'close' waits for them).
      server.close();
      resolveClosed();
    }
    return closed;
  };
  const onAbort = () => void close();
  signal?.addEventListener('abort', onAbort, { once: true });
  server.on('error', () => void close());
  return {
    address: formatTcpAddress(bound.address, bound.port),
    close,
    closed,
    stats: () => ({ connections, refused, maxConnections: settings.maxConnections }),
  };
}

/**
 * Creates a TCP transport (`node:net`, or `node:tls` with `options.tls`). Addresses are `tcp:host:port` and
 * `tcp:[v6]:port`.
 *
 * - Frames travel with a 4-byte big-endian length prefix; a prefix above `maxFrameBytes` closes that connection with
 *   code `protocol` before anything is allocated.
 * - Frames sent in one turn are coalesced: small ones are copied into one buffer, large ones are written as they
 *   are, all in one corked socket write.
 * - `bufferedBytes` is what `send()` accepted and the socket has not yet handed to the kernel; `whenDrained()`
 *   follows the socket's drain. A receiver that falls more than `receiveBufferBytes` behind pauses reading, so the
 *   backpressure reaches the sender.
 * - Heartbeats find a peer that vanished without a FIN: the connection closes with code `timeout` after
 *   `idleTimeoutMs` of silence.
 * - `close()` flushes, sends a close notice (code and message) and a FIN, reads until the peer's FIN and reports
 *   `normal` (or the code given). `abort()` drops what is queued, tells the peer when it can do so at once, and
 *   destroys the socket.
 * - Each listener holds at most `maxConnections` sockets; more are closed on arrival and counted in
 *   `listener.stats().refused`.
 *
 * @param options limits, timeouts, heartbeats, keepalive and TLS; see {@link TcpTransportOptions}
 * @throws RangeError for an out-of-range `maxFrameBytes`, `idleTimeoutMs`, `heartbeatIntervalMs` or
 *   `maxConnections`
 */
export function tcp(options: TcpTransportOptions = {}): TcpTransport {
  const settings = settingsFrom(options);
  return {
    name: 'tcp',
    encrypted: settings.tls !== undefined,
    dial: (address, dialOptions = {}) => dial(settings, address, dialOptions),
    listen: (address, onConnection, listenOptions = {}) =>
      listen(settings, address, onConnection, listenOptions),
  };
}
