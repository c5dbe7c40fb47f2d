import type { CloseReason } from './close-reason.ts';

/**
 * Thrown by `Connection.send()` once the connection is closing or closed. `reason` is the close reason when the
 * connection has already ended (absent while a graceful close is still in progress).
 */
export class ConnectionClosedError extends Error {
  /** Stable error name, safe to compare across realms and bundles. */
  override readonly name = 'ConnectionClosedError';
  /** Stable error code. */
  readonly code = 'connection-closed';
  /** Why the connection ended, when it has. */
  readonly reason: CloseReason | undefined;

  /** @param reason why the connection ended, if known; it becomes the message's tail and the `cause`. */
  constructor(reason?: CloseReason, message?: string) {
    super(
      message ??
        (reason === undefined
          ? 'expected an open connection, but it is closing'
          : `expected an open connection, but it closed (${reason.code}: ${reason.message})`),
      reason?.error === undefined ? undefined : { cause: reason.error },
    );
    this.reason = reason;
  }
}
