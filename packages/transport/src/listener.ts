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
}
