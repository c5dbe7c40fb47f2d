import { createConnection, createServer, type Socket } from 'node:net';
import { type Link, LinkState, type Listener, type Network } from './link.ts';

/** Bytes in the length prefix of every frame (unsigned 32-bit, big-endian). */
const prefixBytes = 4;

/**
 * A link over a TCP socket carrying length-prefixed frames: a 4-byte big-endian length, then the
 * frame. Partial reads are accumulated until a whole frame is in; frames are delivered as copies
 * that do not alias the socket's buffers.
 */
class FramedSocketLink implements Link<Uint8Array> {
  readonly #socket: Socket;
  readonly #state = new LinkState<Uint8Array>();
  /** Received bytes not yet delivered, kept as chunks so a large frame is joined only once. */
  #chunks: Buffer[] = [];
  #bufferedBytes = 0;
  /** Length of the frame being received (prefix included), or -1 while its prefix is incomplete. */
  #frameBytes = -1;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => this.#state.markClosed());
    // An error is followed by 'close'; the benchmark sees the closed link and fails its call.
    socket.on('error', () => {});
  }

  #receive(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bufferedBytes += chunk.length;
    for (;;) {
      if (this.#frameBytes < 0) {
        if (this.#bufferedBytes < prefixBytes) return;
        this.#frameBytes = prefixBytes + this.#join().readUInt32BE(0);
      }
      if (this.#bufferedBytes < this.#frameBytes) return;
      const buffer = this.#join();
      // Copy the frame out: the receiver may keep it after the socket reuses its buffer.
      const frame = Uint8Array.prototype.slice.call(buffer, prefixBytes, this.#frameBytes);
      const rest = buffer.subarray(this.#frameBytes);
      this.#chunks = rest.length > 0 ? [rest] : [];
      this.#bufferedBytes = rest.length;
      this.#frameBytes = -1;
      this.#state.deliver(frame);
    }
  }

  /** Joins the buffered chunks into one buffer (and keeps it as the only chunk). */
  #join(): Buffer {
    if (this.#chunks.length !== 1) this.#chunks = [Buffer.concat(this.#chunks, this.#bufferedBytes)];
    return this.#chunks[0]!;
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
