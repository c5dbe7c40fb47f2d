import type { Connection } from './connection.ts';
import type { Listener } from './listener.ts';

/** Options of {@link Transport.listen}. */
export interface ListenOptions {
  /** Aborting it closes the listener (as `Listener.close()` does); an already aborted signal makes listen() reject. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link Transport.dial}. */
export interface DialOptions {
  /** Aborting it before the connection is established makes dial() reject with DialError `aborted`. */
  signal?: AbortSignal | undefined;
  /** Gives up after this many milliseconds with DialError `timeout`. Default: the transport's own (documented) limit. */
  timeoutMs?: number | undefined;
}

/**
 * A transport: dials and listens on addresses of its own scheme, and moves frames over {@link Connection}s.
 * It knows nothing of sessions or serialization.
 */
export interface Transport {
  /** The transport's name, also the scheme of its addresses: `memory`, `tcp`, `ws`… */
  readonly name: string;
  /**
   * Connects to a listener.
   *
   * @throws DialError (as a rejection) with code `bad-address`, `refused`, `timeout`, `aborted`, `unreachable` or
   *   `failed`.
   */
  dial(address: string, options?: DialOptions): Promise<Connection>;
  /**
   * Starts accepting connections on `address`. `onConnection` is called once per accepted connection, outside the
   * dialer's stack; it should call `start()` on it (frames are buffered until then).
   *
   * @throws ListenError (as a rejection) with code `bad-address`, `address-in-use`, `aborted` or `failed`.
   */
  listen(
    address: string,
    onConnection: (connection: Connection) => void,
    options?: ListenOptions,
  ): Promise<Listener>;
}
