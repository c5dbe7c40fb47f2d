import type { Connection, DialOptions, Listener, ListenOptions, Transport } from '@msc/transport';

/**
 * A dialing transport that remembers the connections it made, so a test can cut one off abruptly:
 * `abort()` drops the socket without a goodbye (no MSC `Abort`, no close handshake), as a crashed
 * client or a pulled cable would. The peer finds out from the transport alone.
 */
export class AbortableTransport implements Transport {
  readonly #inner: Transport;
  readonly #connections = new Set<Connection>();
  readonly #abortMessage: string;

  /**
   * @param inner the transport that dials and listens.
   * @param abortMessage the message of the error `abort()` gives each connection it drops.
   */
  constructor(inner: Transport, abortMessage = 'the soak pulled the plug') {
    this.#inner = inner;
    this.#abortMessage = abortMessage;
  }

  get name(): string {
    return this.#inner.name;
  }

  async dial(address: string, options?: DialOptions): Promise<Connection> {
    const connection = await this.#inner.dial(address, options);
    this.#connections.add(connection);
    void connection.closed.then(() => this.#connections.delete(connection));
    return connection;
  }

  listen(
    address: string,
    onConnection: (connection: Connection) => void,
    options?: ListenOptions,
  ): Promise<Listener> {
    return this.#inner.listen(address, onConnection, options);
  }

  /** Aborts every connection this transport dialed that is still open; returns how many. */
  abort(): number {
    const count = this.#connections.size;
    for (const connection of this.#connections) connection.abort(new Error(this.#abortMessage));
    this.#connections.clear();
    return count;
  }
}
