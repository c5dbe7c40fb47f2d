import type { DeliveryScheduler } from '@msc/transport';
import {
  type ConnectionLimits,
  defaultCloseTimeoutMs,
  defaultLowWaterMarkBytes,
  defaultMaxBufferedBytes,
  defaultMaxFrameBytes,
  heartbeatSettings,
} from '@msc/transport/kit';

/** Options every `ws()` transport takes, on Node and in browsers. */
export interface WebSocketConnectionOptions {
  /**
   * The largest frame (WebSocket message) `send()` accepts and a receiver accepts, in bytes (ws's `maxPayload` on
   * Node). A larger incoming message closes the connection with code `protocol`. Default 16 MiB.
   */
  maxFrameBytes?: number | undefined;
  /** `whenDrained()` resolves once `bufferedBytes` is at or below this many bytes. Default 64 KiB. */
  lowWaterMarkBytes?: number | undefined;
  /**
   * The output budget of each connection: when the bytes it holds for a peer that does not read them
   * (`bufferedBytes`, pongs and other control frames included) exceed it, the connection ends with code `limit`.
   * Default 128 MiB.
   */
  maxBufferedBytes?: number | undefined;
  /**
   * Dead-peer detection: a connection that receives nothing (no message, no ping or pong) for this many
   * milliseconds closes with code `timeout`. `0` turns detection and heartbeats off (the peer's pings are still
   * answered). Default 30 000.
   */
  idleTimeoutMs?: number | undefined;
  /**
   * How often, in milliseconds, a connection that heard nothing since the last check sends a heartbeat: a
   * WebSocket ping on Node, a `msc:ping` text message in browsers (which cannot send pings). Default
   * `idleTimeoutMs / 3`.
   */
  heartbeatIntervalMs?: number | undefined;
  /** How long `dial()` may take (TCP, TLS and the HTTP upgrade) without `timeoutMs`, in milliseconds. Default 10 000. */
  connectTimeoutMs?: number | undefined;
  /** How long a graceful close waits for the peer's close frame before giving up with `timeout`, in ms. Default 5 000. */
  closeTimeoutMs?: number | undefined;
  /** When deliveries to receivers run; see `FrameInboxOptions.scheduler`. Default `scheduleDelivery`. */
  scheduler?: DeliveryScheduler | undefined;
}

/**
 * {@link WebSocketConnectionOptions} with every default filled in: the kit's connection limits and
 * the dial's. Reading is paused at the kit's `defaultReceiveBufferBytes`, which only the Node
 * connection does (a browser's socket cannot pause), so it is not a setting here.
 */
export interface WebSocketSettings extends Omit<ConnectionLimits, 'receiveBufferBytes'> {
  readonly connectTimeoutMs: number;
}

/**
 * Fills in the defaults.
 *
 * @throws RangeError for a negative or non-integer `maxFrameBytes`, a negative `idleTimeoutMs` or a
 *   `heartbeatIntervalMs` that is not positive
 */
export function webSocketSettings(options: WebSocketConnectionOptions): WebSocketSettings {
  const maxFrameBytes = options.maxFrameBytes ?? defaultMaxFrameBytes;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0) {
    throw new RangeError(`expected maxFrameBytes to be a whole number of bytes, but got ${maxFrameBytes}`);
  }
  const { idleTimeoutMs, heartbeatIntervalMs } = heartbeatSettings(options);
  return {
    maxFrameBytes,
    lowWaterMarkBytes: options.lowWaterMarkBytes ?? defaultLowWaterMarkBytes,
    maxBufferedBytes: options.maxBufferedBytes ?? defaultMaxBufferedBytes,
    idleTimeoutMs,
    heartbeatIntervalMs,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    closeTimeoutMs: options.closeTimeoutMs ?? defaultCloseTimeoutMs,
    scheduler: options.scheduler,
  };
}
