/**
 * The part of a MessagePort this package uses; both the web `MessagePort` and `node:worker_threads`' one fit.
 * Node ports are recognised by their `on` method (and report the other side going away with a `close` event); web
 * ports are driven through `addEventListener` and `start()`.
 */
export interface MessagePortLike {
  /** Posts a message, moving the listed buffers instead of copying them. */
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  /** Disentangles the port; the other side's port closes too. */
  close(): void;
  /** Web ports: starts the message queue (implicit with `onmessage`, explicit with `addEventListener`). */
  start?(): void;
  /** Node ports: subscribes to `message` (with the value), `messageerror` and `close`. */
  on?(event: 'message' | 'messageerror' | 'close', listener: (value: any) => void): unknown;
  /** Node ports: unsubscribes. */
  off?(event: 'message' | 'messageerror' | 'close', listener: (value: any) => void): unknown;
  /** Web ports: subscribes to `message` (a MessageEvent), `messageerror` and, where supported, `close`. */
  addEventListener?(type: string, listener: (event: any) => void): void;
  /** Web ports: unsubscribes. */
  removeEventListener?(type: string, listener: (event: any) => void): void;
}
