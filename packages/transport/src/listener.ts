/** Counters of a listener that bounds how many connections it holds at once. */
export interface ListenerStats {
  /**
   * Connections this listener holds now: accepted and not yet closed, counting those still in a TLS or HTTP
   * handshake where the transport sees them (each holds a file descriptor).
   */
  readonly connections: number;
  /** Connections refused since the listener started because `connections` was at the limit. */
  readonly refused: number;
  /** The limit on `connections` (the transport's `maxConnections`). */
  readonly maxConnections: number;
}

/** Accepts connections on one address until closed. */
export interface Listener {
  /** The bound address, in a form `dial()` accepts (e.g. with the real port when port 0 was asked for). */
  readonly address: string;
  /**
   * Stops accepting: later dials to this address fail with DialError `refused`. Connections already accepted stay
   * up. Idempotent; resolves when the listener is closed (never rejects).
   */
  close(): Promise<void>;
  /** Settles (never rejects) once the listener stopped accepting, by close(), its abort signal, or a failure. */
  readonly closed: Promise<void>;
  /**
   * How many connections it holds and how many it refused at its limit. Present on transports that accept from the
   * network (`tcp`, `ws`), which bound their connections per listener; in-process transports have no such limit.
   */
  stats?(): ListenerStats;
}
