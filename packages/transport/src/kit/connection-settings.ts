import type { DeliveryScheduler } from '../schedule-delivery.ts';

/** Default `maxFrameBytes` of every transport: 16 MiB. */
export const defaultMaxFrameBytes = 16 * 1024 * 1024;
/** Default `lowWaterMarkBytes` of every transport: 64 KiB. */
export const defaultLowWaterMarkBytes = 64 * 1024;
/** Default `maxBufferedBytes` of every transport: 128 MiB (twice a session's own 64 MiB outbox limit). */
export const defaultMaxBufferedBytes = 128 * 1024 * 1024;
/** Default `receiveBufferBytes` of the transports that can pause reading: 1 MiB. */
export const defaultReceiveBufferBytes = 1024 * 1024;
/** Default `closeTimeoutMs` of every transport with a close handshake: 5 s. */
export const defaultCloseTimeoutMs = 5_000;

/**
 * The limits and timeouts of a connection, as a transport's settings hold them for all its connections (a
 * transport's settings type extends it with its own fields).
 */
export interface ConnectionLimits {
  /**
   * The largest frame sent or received, in bytes, and the ceiling of `setMaxFrameBytes()`. A larger arriving
   * frame is a protocol violation.
   */
  readonly maxFrameBytes: number;
  /** `whenDrained()` resolves once `bufferedBytes` is at or below this many bytes. */
  readonly lowWaterMarkBytes: number;
  /**
   * The output budget: when the bytes this connection makes the process hold for the peer (`bufferedBytes`, plus
   * the heartbeat answers the peer asked for while it does not read) exceed it, the connection ends with `limit`.
   */
  readonly maxBufferedBytes: number;
  /**
   * Reading pauses while frames not yet taken by the receiver add up to more than this many bytes, and resumes
   * below half of it (drivers that can pause). Infinity: never.
   */
  readonly receiveBufferBytes: number;
  /** How long a graceful close waits for the peer's confirmation before ending with `timeout`. 0: forever. */
  readonly closeTimeoutMs: number;
  /** Silence after which the peer counts as dead (`timeout`), in ms; 0 turns heartbeats off. */
  readonly idleTimeoutMs: number;
  /** How often heartbeats are checked and sent, in milliseconds. */
  readonly heartbeatIntervalMs: number;
  /** When deliveries to the receiver run. Undefined: `scheduleDelivery`. */
  readonly scheduler: DeliveryScheduler | undefined;
}

/** How a {@link DrivenConnection} behaves: addresses, limits, timeouts. Transports fill it from their options. */
export interface ConnectionSettings extends ConnectionLimits {
  /** This side's address. */
  readonly localAddress: string;
  /** The peer's address. */
  readonly remoteAddress: string;
  /** See `Connection.addressesObservable`. Default `true`. */
  readonly addressesObservable?: boolean;
  /** Whether frames sent in one turn reach the driver together, after the turn (stream media), or one by one. */
  readonly coalesceWrites: boolean;
}
