/**
 * The `error` of the `CloseReason` both sides of a memory connection see when a fault was injected
 * (`breakNow()` or `breakAfterFrames`): it plays the part of a dead peer or a severed medium.
 */
export class ConnectionBrokenError extends Error {
  /** Stable error name. */
  override readonly name = 'ConnectionBrokenError';
  /** Stable error code. */
  readonly code = 'connection-broken';

  /** @param message what broke and why (defaults to a description of an injected fault) */
  constructor(message = 'expected the connection to stay up, but a fault was injected and it broke') {
    super(message);
  }
}
