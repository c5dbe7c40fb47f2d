import type { CloseReason } from './close-reason.ts';

/**
 * Receives what a connection delivers, in order, never inside the sender's stack.
 *
 * A transport calls `frame()` for every frame in the order the peer sent them, then `closed()` exactly once,
 * after the last frame. No call happens synchronously inside `send()`, `close()` or `abort()` of either side,
 * so a receiver never re-enters the code that caused the delivery.
 */
export interface FrameReceiver {
  /**
   * One whole frame, exactly as the peer passed it to `send()` (boundaries are preserved). The receiver owns the
   * buffer from now on: the transport never reads or reuses it again.
   */
  frame(frame: Uint8Array): void;
  /**
   * One values frame (see `Connection.sendValues`), in order with the frames, as the peer's structured
   * clone made it, with the size the peer declared (at most `maxFrameBytes`, otherwise unchecked). The
   * receiver owns the values and must check them: they are the peer's input. Absent: a receiver that
   * never agreed to values: the frame is dropped.
   */
  values?(values: unknown, bytes: number): void;
  /** Called exactly once, after the last frame; nothing is delivered afterwards. */
  closed(reason: CloseReason): void;
}
