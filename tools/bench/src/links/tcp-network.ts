import { createConnection, createServer, type Socket } from 'node:net';
import { FrameAssembler, prefixBytes } from './frame-assembler.ts';
import { type Link, LinkState, type Listener, type Network } from './link.ts';

/**
 * A link over a TCP socket carrying length-prefixed frames (`FrameAssembler`): a 4-byte big-endian
 * length, then the frame.
 */
class FramedSocketLink implements Link<Uint8Array> {
  readonly #socket: Socket;
  readonly #state = new LinkState<Uint8Array>();
  readonly #frames = new FrameAssembler((frame) => this.#state.deliver(frame));

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#frames.push(chunk));
    socket.on('close', () => this.#state.markClosed());
    // An error is followed by 'close'; the benchmark sees the closed link and fails its call.
    socket.on('error', () => {});
  }

  send(message: Uint8Array): void {
    if (this.#state.closed) return;
    const prefix = Buffer.allocUnsafe(prefixBytes);
    prefix.writeUInt32BE(message.byteLength, 0);
    // Two writes are corked into one segment, so a frame costs one syscall without copying it.
    this.#socket.cork();
    this.#socket.write(prefix);
    this.#socket.write(message);
    process.nextTick(() => this.#socket.uncork());
  }

  onMessage(receiver: (message: Uint8Array) => void): void {
    this.#state.setReceiver(receiver);
  }

  onClose(callback: () => void): void {
    this.#state.addCloseCallback(callback);
  }

  close(): void {
    if (this.#state.markClosed()) this.#socket.destroy();
  }
}

/** Length-prefixed frames over `node:net` on 127.0.0.1, one socket per connection, Nagle off. */
export const tcpNetwork: Network<Uint8Array> = {
  transport: 'tcp',
  async listen(accept) {
    const links = new Set<Link<Uint8Array>>();
    const track = (link: Link<Uint8Array>) => {
      links.add(link);
      link.onClose(() => links.delete(link));
      return link;
    };
    const server = createServer((socket) => accept(track(new FramedSocketLink(socket))));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    const listener: Listener<Uint8Array> = {
      connect() {
        return new Promise((resolve, reject) => {
          const socket = createConnection({ host: '127.0.0.1', port: address.port });
          socket.once('error', reject);
          socket.once('connect', () => {
            socket.off('error', reject);
            resolve(track(new FramedSocketLink(socket)));
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
