import type { CloseOptions, CloseReason, Connection, FrameReceiver } from '@msc/transport';

/**
 * Wraps a MessagePort connection so that frames which may share memory with other buffers reach it as plain,
 * exactly-sized `Uint8Array` copies.
 *
 * Why: the session encodes frames as Node `Buffer` views into the encoder's reusable buffer. A MessagePort
 * connection moves (transfers) a frame's `ArrayBuffer` when the frame spans all of it, and otherwise copies it with
 * `frame.slice()`, which for a `Buffer` is a view, not a copy: the encoder's whole buffer would be transferred and
 * detached under the session. A plain `Uint8Array` copy owns its buffer, so it is moved without a second copy.
 */
export function copyingConnection(connection: Connection): Connection {
  return {
    get localAddress() {
      return connection.localAddress;
    },
    get remoteAddress() {
      return connection.remoteAddress;
    },
    get bufferedBytes() {
      return connection.bufferedBytes;
    },
    get closed(): Promise<CloseReason> {
      return connection.closed;
    },
    get maxFrameBytes() {
      return connection.maxFrameBytes;
    },
    setMaxFrameBytes: (bytes: number) => connection.setMaxFrameBytes(bytes),
    start: (receiver: FrameReceiver) => connection.start(receiver),
    send: (frame: Uint8Array) => {
      const plain =
        Object.getPrototypeOf(frame) === Uint8Array.prototype &&
        frame.byteOffset === 0 &&
        frame.byteLength === frame.buffer.byteLength;
      connection.send(plain ? frame : new Uint8Array(frame));
    },
    get carriesValues() {
      return connection.carriesValues === true;
    },
    // Values frames are the session's own fresh trees (and copies it may transfer): nothing to copy here.
    sendValues: (values: unknown[], transfer: ArrayBuffer[], bytes: number) => {
      if (connection.sendValues === undefined) throw new Error('expected a connection that carries values');
      connection.sendValues(values, transfer, bytes);
    },
    whenDrained: () => connection.whenDrained(),
    close: (options?: CloseOptions) => connection.close(options),
    abort: (error?: unknown) => connection.abort(error),
  };
}
