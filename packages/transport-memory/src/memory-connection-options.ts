import type { DeliveryScheduler } from '@msc/transport';

/** Options of in-process memory connections (`memory()`, `memoryPair()`). */
export interface MemoryConnectionOptions {
  /**
   * Artificial one-way latency in milliseconds: a frame (or close) reaches the peer this long after it was sent.
   * Frames stay FIFO. Default 0 (delivery in the next microtask). Dialing also takes this long. Aborts and injected
   * faults are not delayed.
   */
  delayMs?: number | undefined;
  /**
   * Fault injection: after this many frames (counted over both directions) the connection breaks. The frames sent
   * so far are delivered, then both sides see `closed()` with code `error`, `remote: true` and a
   * `ConnectionBrokenError`; later sends throw ConnectionClosedError. `0` breaks it as soon as it exists.
   * Default: never.
   */
  breakAfterFrames?: number | undefined;
  /**
   * Decides when deliveries run, for deterministic tests: it receives a `deliver` function and must call it later
   * (never synchronously), once. Default: `scheduleDelivery` from @msc/transport (microtask, macrotask under load).
   */
  scheduler?: DeliveryScheduler | undefined;
  /** The largest frame `send()` accepts, in bytes. Default 16 MiB. */
  maxFrameBytes?: number | undefined;
  /** `whenDrained()` resolves once `bufferedBytes` is at or below this many bytes. Default 64 KiB. */
  lowWaterMarkBytes?: number | undefined;
  /**
   * The output budget of each end: when the bytes it sent that the peer has not taken (`bufferedBytes`) exceed it,
   * the connection ends with code `limit`. Default 128 MiB.
   */
  maxBufferedBytes?: number | undefined;
}

/** Default {@link MemoryConnectionOptions.maxFrameBytes}: 16 MiB. */
export const defaultMaxFrameBytes = 16 * 1024 * 1024;
/** Default {@link MemoryConnectionOptions.lowWaterMarkBytes}: 64 KiB. */
export const defaultLowWaterMarkBytes = 64 * 1024;
