import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { type Link, LinkState, type Listener, type Network } from './link.ts';

/** What a WebSocket link carries: text frames as strings, binary frames as bytes. */
export type WebSocketMessage = string | Uint8Array;

/**
 * Turns a `ws` message into a string (text frame) or one contiguous byte array (binary frame). A
 * message `ws` hands over as one Buffer is taken as it is, as `@msc/transport-ws` takes it: `ws` does
 * not reuse it (copying it here cost the floor and the peers over WebSocket a copy that @msc does not make).
 * It is often a view into a larger socket read (a non-zero `byteOffset`), which every reader here allows.
 */
function toMessage(data: RawData, isBinary: boolean): WebSocketMessage {
  const bytes = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data as ArrayBuffer);
  return isBinary ? bytes : bytes.toString('utf8');
}

/** A link over one `ws` socket; strings go out as text frames, byte arrays as binary frames. */
class WebSocketLink implements Link<WebSocketMessage> {
  readonly #socket: WebSocket;
  readonly #state = new LinkState<WebSocketMessage>();

  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data, isBinary) => this.#state.deliver(toMessage(data, isBinary)));
    socket.on('close', () => this.#state.markClosed());
    // An error is followed by 'close'; the benchmark sees the closed link and fails its call.
    socket.on('error', () => {});
  }

  send(message: WebSocketMessage): void {
    if (!this.#state.closed) this.#socket.send(message);
  }

  onMessage(receiver: (message: WebSocketMessage) => void): void {
    this.#state.setReceiver(receiver);
  }

  onClose(callback: () => void): void {
    this.#state.addCloseCallback(callback);
  }

  close(): void {
    // terminate() rather than close(): no closing handshake to wait for while tearing a run down.
    if (this.#state.markClosed()) this.#socket.terminate();
  }
}

/** `ws` server and clients on 127.0.0.1, one socket per connection, no compression. */
export const websocketNetwork: Network<WebSocketMessage> = {
  transport: 'websocket',
  async listen(accept) {
    const links = new Set<Link<WebSocketMessage>>();
    const track = (link: Link<WebSocketMessage>) => {
      links.add(link);
      link.onClose(() => links.delete(link));
      return link;
    };
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    server.on('connection', (socket) => accept(track(new WebSocketLink(socket))));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    const listener: Listener<WebSocketMessage> = {
      connect() {
        return new Promise((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${address.port}`, { perMessageDeflate: false });
          // Create the link before 'open' so no message can arrive unobserved.
          const link = new WebSocketLink(socket);
          socket.once('error', reject);
          socket.once('open', () => {
            socket.off('error', reject);
            resolve(track(link));
          });
        });
      },
      async close() {
        for (const link of [...links]) link.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
    return listener;
  },
};
