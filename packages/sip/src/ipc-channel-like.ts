/**
 * The part of a Node IPC channel that {@link ipcConnection} uses. Both ends fit: `process` inside a child started
 * with an IPC channel (`process.send`, `'message'`, `'disconnect'`), and the parent's `ChildProcess`.
 *
 * The channel must be created with `serialization: 'advanced'` so a `Uint8Array` arrives as a `Uint8Array` (the
 * default JSON serialization turns it into a plain object, which the connection reports as a protocol violation).
 */
export interface IpcChannelLike {
  /**
   * Queues one message. The callback runs once the message was handed to the operating system, or with an error
   * when the channel is closed. Node's signature has optional handle and options arguments before the callback;
   * the connection always passes the callback second.
   */
  send?(message: unknown, callback: (error: Error | null) => void): boolean;
  /** Subscribes to incoming messages (`'message'`) and to the channel closing (`'disconnect'`). */
  on(event: 'message' | 'disconnect', listener: (...values: any[]) => void): unknown;
  /** Unsubscribes. */
  off(event: 'message' | 'disconnect', listener: (...values: any[]) => void): unknown;
  /** Whether the channel is still open. */
  readonly connected?: boolean;
}
