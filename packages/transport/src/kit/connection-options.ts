import type { DeliveryScheduler } from '../schedule-delivery.ts';
import {
  type ConnectionSettings,
  defaultCloseTimeoutMs,
  defaultLowWaterMarkBytes,
  defaultMaxBufferedBytes,
  defaultMaxFrameBytes,
} from './connection-settings.ts';

/**
 * The options every connection over a message medium takes (MessagePort, IPC; memory has its own): addresses,
 * limits, the close timeout and the delivery scheduler. Transports extend it with their own.
 */
export interface ConnectionOptions {
  /** This side's address. Default: one the transport makes up. */
  localAddress?: string | undefined;
  /** The peer's address. Default: one the transport makes up. */
  remoteAddress?: string | undefined;
  /**
   * The largest frame `send()` accepts and the largest frame received, in bytes; a larger incoming frame is a
   * protocol violation. Default 16 MiB; `setMaxFrameBytes()` lowers (or raises back) it per connection.
   */
  maxFrameBytes?: number | undefined;
  /** `whenDrained()` resolves once `bufferedBytes` is at or below this many bytes. Default 64 KiB. */
  lowWaterMarkBytes?: number | undefined;
  /**
   * The output budget: when the bytes sent and not yet taken by the peer (`bufferedBytes`) exceed it, the
   * connection ends with code `limit`. Default 128 MiB.
   */
  maxBufferedBytes?: number | undefined;
  /** How long a graceful close waits for the peer's answer before ending with `timeout`, in ms. Default 5 000. */
  closeTimeoutMs?: number | undefined;
  /** When deliveries to the receiver run. Default: `scheduleDelivery` of @msc/transport. */
  scheduler?: DeliveryScheduler | undefined;
}

/**
 * The {@link ConnectionSettings} of a message medium from its {@link ConnectionOptions}: the defaults filled in,
 * frames handed to the driver one by one, no heartbeats and no read pausing (the peer's acknowledgements or the
 * channel's backlog are the flow control).
 *
 * @param options what the caller gave
 * @param addresses the addresses to use when the options name none
 */
export function messageConnectionSettings(
  options: ConnectionOptions,
  addresses: { readonly local: string; readonly remote: string },
): ConnectionSettings {
  return {
    localAddress: options.localAddress ?? addresses.local,
    remoteAddress: options.remoteAddress ?? addresses.remote,
    maxFrameBytes: options.maxFrameBytes ?? defaultMaxFrameBytes,
    lowWaterMarkBytes: options.lowWaterMarkBytes ?? defaultLowWaterMarkBytes,
    maxBufferedBytes: options.maxBufferedBytes ?? defaultMaxBufferedBytes,
    receiveBufferBytes: Number.POSITIVE_INFINITY,
    closeTimeoutMs: options.closeTimeoutMs ?? defaultCloseTimeoutMs,
    idleTimeoutMs: 0,
    heartbeatIntervalMs: 0,
    coalesceWrites: false,
    scheduler: options.scheduler,
  };
}
