import type { CloseReason, FrameReceiver } from '@msc/transport';

/** What a {@link ConnectionReceiver} delivers to: the session. */
export interface ConnectionReceiverPort {
  /** @internal A frame arrived. */
  receiveFrame_(frame: Uint8Array): void;
  /** @internal A values frame arrived (values mode). */
  receiveValues_(values: unknown, declared: number): void;
  /** @internal The connection closed. */
  connectionClosed_(reason: CloseReason): void;
}

/**
 * What a session's connection delivers to: one small object per session. The session cannot be the
 * receiver itself, since `FrameReceiver.closed` would clash with `Session.closed`, the promise of
 * its own end.
 */
export class ConnectionReceiver implements FrameReceiver {
  readonly #session: ConnectionReceiverPort;

  constructor(session: ConnectionReceiverPort) {
    this.#session = session;
  }

  frame(frame: Uint8Array): void {
    this.#session.receiveFrame_(frame);
  }

  values(values: unknown, bytes: number): void {
    this.#session.receiveValues_(values, bytes);
  }

  closed(reason: CloseReason): void {
    this.#session.connectionClosed_(reason);
  }
}
