import type { ConnectionOptions as TlsConnectionOptions, TlsOptions } from 'node:tls';
import type { DeliveryScheduler, Logger } from '@msc/transport';
import type { ConnectionLimits } from '@msc/transport/kit';

/**
 * TLS settings of a {@link TcpTransportOptions.tls} transport. The common fields apply to both roles; `listener` and
 * `dialer` pass any other `node:tls` option through to `tls.createServer()` and `tls.connect()`.
 */
export interface TcpTlsOptions {
  /** Private key (PEM), for listening (and for a dialer that presents a client certificate). */
  key?: string | Buffer | Array<string | Buffer> | undefined;
  /** Certificate chain (PEM) that goes with `key`. */
  cert?: string | Buffer | Array<string | Buffer> | undefined;
  /** Certificates to trust instead of the system's (PEM): a self-signed server certificate, a private CA. */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Whether a dialer refuses a server whose certificate does not verify. Default `true`; turn off only in tests. */
  rejectUnauthorized?: boolean | undefined;
  /** The name a dialer expects in the server certificate (and sends as SNI). Default: the host of the address. */
  servername?: string | undefined;
  /** More options for `tls.createServer()` (they override the fields above). */
  listener?: TlsOptions | undefined;
  /** More options for `tls.connect()` (they override the fields above). */
  dialer?: TlsConnectionOptions | undefined;
}

/** Options of {@link tcp}. Every connection of the transport, dialed or accepted, uses them. */
export interface TcpTransportOptions {
  /**
   * The largest frame `send()` accepts and the largest length prefix a receiver accepts, in bytes; a larger incoming
   * prefix closes the connection with code `protocol` before anything is allocated for it. Both sides should agree.
   * Default 16 MiB; at most 4 GiB − 17 bytes (the top length values are reserved for control records).
   */
  maxFrameBytes?: number | undefined;
  /** `whenDrained()` resolves once `bufferedBytes` is at or below this many bytes. Default 64 KiB. */
  lowWaterMarkBytes?: number | undefined;
  /**
   * The output budget of each connection: when the bytes it holds for a peer that does not read them
   * (`bufferedBytes`, heartbeat answers included) exceed it, the connection ends with code `limit`. Default 128 MiB.
   */
  maxBufferedBytes?: number | undefined;
  /**
   * Reading from the socket pauses while frames not yet taken by the receiver add up to more than this many bytes
   * (so a slow receiver pushes back on the sender through TCP), and resumes below half of it. Default 1 MiB.
   */
  receiveBufferBytes?: number | undefined;
  /**
   * Dead-peer detection: a connection that receives nothing (no frame, no heartbeat) for this many milliseconds
   * closes with code `timeout`. Heartbeats keep a quiet but live connection open. `0` turns detection and
   * heartbeats off (pings from the peer are still answered). Default 30 000.
   */
  idleTimeoutMs?: number | undefined;
  /**
   * How often, in milliseconds, a connection checks for liveness and, when it sent nothing since the last check,
   * sends a 4-byte heartbeat (a ping when it heard nothing, else a pong). A dead peer is noticed between
   * `idleTimeoutMs` and `idleTimeoutMs + heartbeatIntervalMs`. Default `idleTimeoutMs / 3`.
   */
  heartbeatIntervalMs?: number | undefined;
  /**
   * How long a dial may take (TCP connect, plus the TLS handshake with `tls`) when `dial()` gets no `timeoutMs`,
   * and how long a listener waits for a client's TLS handshake, in milliseconds. Default 10 000.
   */
  connectTimeoutMs?: number | undefined;
  /**
   * How long a graceful close waits for the peer to finish its side (its FIN) before giving up with code `timeout`,
   * in milliseconds. Default 5 000.
   */
  closeTimeoutMs?: number | undefined;
  /**
   * Turns on the operating system's TCP keepalive (SO_KEEPALIVE) with this initial delay in milliseconds. It finds
   * dead peers much more slowly than the heartbeats, but also covers half-open sockets at the kernel level.
   * Default: off.
   */
  keepAliveDelayMs?: number | undefined;
  /** Disables Nagle's algorithm (`setNoDelay`). Writes are already coalesced per turn. Default `true`. */
  noDelay?: boolean | undefined;
  /**
   * The most sockets each listener holds at once, counting those still in their TLS handshake. A connection that
   * arrives at the limit is closed at once by the operating-system handle, before any read, TLS or allocation,
   * and counted in `listener.stats().refused`; the limit frees up as connections close. Keep it below the
   * process's open-file limit (`ulimit -n`) minus what the rest of the process needs, so a flood of connections
   * cannot take the descriptors every other socket and file needs. Default 16 384.
   */
  maxConnections?: number | undefined;
  /** Listen and dial with TLS (`node:tls`). Listening needs `key` and `cert`. Default: plain TCP. */
  tls?: TcpTlsOptions | undefined;
  /** When deliveries to receivers run; see `FrameInboxOptions.scheduler`. Default `scheduleDelivery`. */
  scheduler?: DeliveryScheduler | undefined;
  /**
   * Where listeners report, as structured events (see `Logger` of `@msc/transport`; `console` and pino fit as they
   * are), at level warn: `connection-refused` (a connection closed on arrival at `maxConnections`; fields `limit`,
   * `value`, `remoteAddress`) and `handshake-failed` (a client's TLS handshake failed; fields `step: 'tls'`,
   * `code`, `message`, `remoteAddress`). Each event names `transport: 'tcp'`. Default: nothing is logged.
   */
  logger?: Logger | undefined;
}

/** {@link TcpTransportOptions} with every default filled in: the kit's connection limits and TCP's own. */
export interface TcpSettings extends ConnectionLimits {
  readonly connectTimeoutMs: number;
  readonly keepAliveDelayMs: number | undefined;
  readonly noDelay: boolean;
  readonly maxConnections: number;
  readonly tls: TcpTlsOptions | undefined;
  readonly logger: Logger | undefined;
}

/** Default {@link TcpTransportOptions.maxFrameBytes}: 16 MiB. */
export const defaultMaxFrameBytes = 16 * 1024 * 1024;
/** Default {@link TcpTransportOptions.idleTimeoutMs}: 30 s. */
export const defaultIdleTimeoutMs = 30_000;
/** Default {@link TcpTransportOptions.maxConnections}: 16 384 sockets per listener. */
export const defaultMaxConnections = 16_384;
/** Default {@link TcpTransportOptions.connectTimeoutMs}: 10 s. */
export const defaultConnectTimeoutMs = 10_000;
