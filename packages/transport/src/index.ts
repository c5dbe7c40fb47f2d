/**
 * @msc/transport: the contract every MSC transport implements, and nothing else.
 *
 * A {@link Transport} dials and listens on addresses of its own scheme; a {@link Connection} moves whole frames
 * (`Uint8Array`s) in order, reliably, in both directions, and delivers them to a {@link FrameReceiver} never
 * inside the sender's stack. Sessions are written against this contract only, so any transport (memory,
 * MessagePort, TCP, WebSocket) can carry them. A transport is written as a driver over the connection lifecycle
 * of `@msc/transport/kit`, and proves itself with the suite of `@msc/transport/compliance`.
 *
 * @example
 * ```ts
 * import type { Connection, Transport } from '@msc/transport';
 *
 * async function echoServer(transport: Transport, address: string) {
 *   return transport.listen(address, (connection: Connection) => {
 *     connection.start({
 *       frame: (frame) => connection.send(frame), // the receiver owns the frame, so it may pass it on
 *       closed: (reason) => console.log('closed:', reason.code, reason.message),
 *     });
 *   });
 * }
 *
 * async function ask(transport: Transport, address: string) {
 *   const connection = await transport.dial(address, { timeoutMs: 5_000 });
 *   connection.start({ frame: (frame) => console.log('echo', frame), closed: () => {} });
 *   connection.send(new TextEncoder().encode('hello'));
 *   await connection.close(); // delivers 'hello' first, then both sides see closed()
 * }
 * ```
 *
 * @packageDocumentation
 */

export { type CloseCode, type CloseOptions, type CloseReason, closeCodes } from './close-reason.ts';
export type { Connection } from './connection.ts';
export { ConnectionClosedError } from './connection-closed-error.ts';
export { DialError, type DialErrorCode } from './dial-error.ts';
export type { FrameReceiver } from './frame-receiver.ts';
export { FrameTooLargeError } from './frame-too-large-error.ts';
export { ListenError, type ListenErrorCode } from './listen-error.ts';
export type { Listener, ListenerStats } from './listener.ts';
export type { LogEvent, Logger } from './logger.ts';
export { type DeliveryScheduler, scheduleDelivery } from './schedule-delivery.ts';
export type { DialOptions, ListenOptions, Transport } from './transport.ts';
