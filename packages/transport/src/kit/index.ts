/**
 * @msc/transport/kit: what a transport is built from. The connection lifecycle is written once here
 * ({@link DrivenConnection}, whose core, {@link DrivenConnectionCore}, is all a browser's WebSocket needs); a transport writes a {@link ConnectionDriver} for its medium (write frames, send
 * close, send abort, reset, pause and resume reading, heartbeats), runs its dials through {@link raceDial}, and
 * ends its accept path in {@link handOverConnection} (Node transports listen through {@link listenServer}).
 *
 * @example
 * ```ts
 * import { type ConnectionDriver, DrivenConnection, defaultMaxFrameBytes } from '@msc/transport/kit';
 *
 * // A driver over some duplex `pipe` that carries whole messages (see the transports for real ones).
 * const connection = new DrivenConnection(
 *   {
 *     localAddress: 'pipe:a', remoteAddress: 'pipe:b', maxFrameBytes: defaultMaxFrameBytes,
 *     lowWaterMarkBytes: 64 * 1024, maxBufferedBytes: 128 * 1024 * 1024, receiveBufferBytes: Infinity,
 *     closeTimeoutMs: 5_000, idleTimeoutMs: 0, heartbeatIntervalMs: 0, coalesceWrites: false,
 *   },
 *   (events): ConnectionDriver => {
 *     pipe.onMessage((message) => (message.kind === 'frame' ? events.frame(message.bytes) : events.peerClosed('normal', 'bye')));
 *     return {
 *       heldBytes: 0,
 *       writeFrames: (frames) => { for (const frame of frames) pipe.send({ kind: 'frame', bytes: frame }); },
 *       sendClose: (code, message) => pipe.send({ kind: 'close', code, message }),
 *       answerClose: () => pipe.send({ kind: 'close-reply' }),
 *       sendAbort: (code, message) => pipe.send({ kind: 'abort', code, message }),
 *       reset: () => pipe.destroy(),
 *     };
 *   },
 * );
 * ```
 *
 * @packageDocumentation
 */

export { type NextTick, nodeNextTick } from '../node-next-tick.ts';
export { afterMicrotasks, macrotask } from '../schedule-delivery.ts';
export type { ConnectionDriver, CoreDriverEvents, DriverEvents, OutgoingFrame } from './connection-driver.ts';
export { type ConnectionOptions, messageConnectionSettings } from './connection-options.ts';
export {
  type ConnectionLimits,
  type ConnectionSettings,
  defaultCloseTimeoutMs,
  defaultLowWaterMarkBytes,
  defaultMaxBufferedBytes,
  defaultMaxFrameBytes,
  defaultReceiveBufferBytes,
} from './connection-settings.ts';
export { describeError } from './describe-error.ts';
export { type DialAttempt, type DialRaceOptions, raceDial } from './dial-race.ts';
export { DrainWaiters } from './drain-waiters.ts';
export { DrivenConnection } from './driven-connection.ts';
export { DrivenConnectionCore } from './driven-connection-core.ts';
export { FrameInbox, type FrameInboxOptions, type FrameReleaseListener } from './frame-inbox.ts';
export { handOverConnection } from './hand-over-connection.ts';
export {
  defaultIdleTimeoutMs,
  Heartbeat,
  type HeartbeatPort,
  heartbeatSettings,
} from './heartbeat.ts';
export { type InBandControlKind, receiveInBandControl } from './in-band-control.ts';
export { type ListeningServer, listenServer, socketListenFailure } from './listen-server.ts';
export { logSafely } from './log-safely.ts';
export { PartsFrame } from './parts-frame.ts';
export { socketDialFailure } from './socket-dial-failure.ts';
export { ValuesFrame } from './values-frame.ts';
