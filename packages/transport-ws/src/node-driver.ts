import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { WebSocketConnection, WebSocketDriver } from './web-socket-connection.ts';

/**
 * Wraps a `ws` WebSocket (and its TCP socket, for corking and write callbacks) as a {@link WebSocketDriver}.
 * Call {@link wireNodeEvents} once the connection exists.
 */
export function nodeDriver(webSocket: WebSocket, socket: Socket): WebSocketDriver {
  return {
    send: (frame) => webSocket.send(frame, { binary: true }),
    sendText: (text) => webSocket.send(text),
    close: (status, reason) => webSocket.close(status, reason),
    terminate: () => webSocket.terminate(),
    // After the close frame `ws` has just queued on the socket; `ws` ends it again when the peer's close frame
    // comes, which is harmless.
    end: () => {
      if (!socket.destroyed && !socket.writableEnded) socket.end();
    },
    ping: () => {
      if (webSocket.readyState === webSocket.OPEN) webSocket.ping();
      return true;
    },
    pong: (data) => {
      if (webSocket.readyState === webSocket.OPEN) webSocket.pong(data);
      return true;
    },
    get bufferedAmount() {
      return webSocket.bufferedAmount;
    },
    cork: () => socket.cork(),
    uncork: () => socket.uncork(),
    pause: () => webSocket.pause(),
    resume: () => webSocket.resume(),
    onWritten: (listener) => {
      socket.on('drain', listener);
    },
  };
}

/**
 * Forwards the WebSocket's events to `connection`. Binary messages become plain `Uint8Array` views (no copy). The
 * WebSocket must be made with `autoPong: false`: the connection answers pings itself, within its output budget.
 */
export function wireNodeEvents(webSocket: WebSocket, connection: WebSocketConnection): void {
  webSocket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    let buffer: Buffer;
    try {
      buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    } catch (error) {
      // Joining the fragments of a huge message can fail to allocate: that ends this connection, not the process.
      const bytes = Array.isArray(data)
        ? data.reduce((total, part) => total + part.byteLength, 0)
        : data.byteLength;
      connection.onAllocationFailed(bytes, error);
      return;
    }
    if (isBinary) connection.onMessage(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    else connection.onMessage(buffer.toString('utf8'));
  });
  webSocket.on('ping', (data: Buffer) => connection.onPing(data.byteLength === 0 ? undefined : data));
  webSocket.on('pong', () => connection.onHeartbeat());
  webSocket.on('error', (error) => connection.onError(error));
  webSocket.on('close', (status: number, reason: Buffer) =>
    connection.onClose(status, reason.toString('utf8')),
  );
}
