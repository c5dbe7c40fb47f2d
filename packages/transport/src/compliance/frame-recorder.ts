import type { CloseReason } from '../close-reason.ts';
import type { FrameReceiver } from '../frame-receiver.ts';

/**
 * A {@link FrameReceiver} that remembers everything it is given, for tests: the frames in order, every `closed()`
 * call (there must be exactly one), frames that came after `closed()` (there must be none), and deliveries that
 * happened while {@link FrameRecorder.senderStack} was set (there must be none).
 */
export class FrameRecorder implements FrameReceiver {
  /** The frames delivered, in order. */
  readonly frames: Uint8Array[] = [];
  /** The reasons passed to `closed()`, one per call. */
  readonly closedReasons: CloseReason[] = [];
  /** Frames delivered after `closed()`. */
  framesAfterClosed = 0;
  /** Deliveries (frames or `closed()`) that happened while `senderStack.active` was true. */
  deliveriesInsideSenderStack = 0;
  /** Total bytes delivered. */
  bytes = 0;
  readonly #senderStack: { active: boolean };
  readonly #waiters = new Set<() => void>();

  /** @param senderStack a flag a test sets around `send()`/`close()`/`abort()` calls; defaults to a private one. */
  constructor(senderStack: { active: boolean } = { active: false }) {
    this.#senderStack = senderStack;
  }

  /** Records one frame. */
  frame(frame: Uint8Array): void {
    if (this.#senderStack.active) this.deliveriesInsideSenderStack++;
    if (this.closedReasons.length > 0) this.framesAfterClosed++;
    this.frames.push(frame);
    this.bytes += frame.byteLength;
    this.#notify();
  }

  /** Records the end. */
  closed(reason: CloseReason): void {
    if (this.#senderStack.active) this.deliveriesInsideSenderStack++;
    this.closedReasons.push(reason);
    this.#notify();
  }

  /** The first close reason, if `closed()` was called. */
  get reason(): CloseReason | undefined {
    return this.closedReasons[0];
  }

  /**
   * Resolves when `condition()` holds (checked now and after every delivery); rejects after `timeoutMs`
   * (default 10 s) with a message naming `what` was awaited and what had arrived by then.
   */
  until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `expected ${what} within ${timeoutMs} ms, but got ${this.frames.length} frames and ` +
              `${this.closedReasons.length} closed() calls`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /** Resolves once at least `count` frames arrived. */
  untilFrames(count: number, timeoutMs?: number): Promise<void> {
    return this.until(() => this.frames.length >= count, `${count} frames`, timeoutMs);
  }

  /** Resolves with the reason once `closed()` was called. */
  async untilClosed(timeoutMs?: number): Promise<CloseReason> {
    await this.until(() => this.closedReasons.length > 0, 'closed()', timeoutMs);
    return this.closedReasons[0]!;
  }

  #notify(): void {
    for (const waiter of this.#waiters) waiter();
  }
}
