// @endo/captp 4.5.1 ships JavaScript without declarations; this declares the part the adapter uses.
declare module '@endo/captp' {
  /** One CapTP connection end, as returned by `makeCapTP`. */
  export interface CapTP {
    /** Handles one message from the peer; returns whether it was understood. */
    dispatch(message: unknown): boolean;
    /** The peer's bootstrap object, as a promise usable with `E()`. */
    getBootstrap(): Promise<unknown>;
    /** Ends the connection and rejects everything pending on it. */
    abort(reason?: unknown): void;
  }

  /** Makes one end of a CapTP connection that sends JSON-able messages through `send`. */
  export function makeCapTP(
    ourId: string,
    send: (message: unknown) => void,
    bootstrap?: unknown,
    options?: Record<string, unknown>,
  ): CapTP;
}
