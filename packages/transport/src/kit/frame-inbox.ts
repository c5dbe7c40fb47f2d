import type { CloseReason } from '../close-reason.ts';
import type { FrameReceiver } from '../frame-receiver.ts';
import { type DeliveryScheduler, scheduleDelivery } from '../schedule-delivery.ts';
import { frameSize, ValuesFrame } from './values-frame.ts';

/** Receives the sizes of frames that left a {@link FrameInbox}; see {@link FrameInboxOptions.releaseListener}. */
export interface FrameReleaseListener {
  /** `bytes` of frames left the inbox (delivered or dropped). */
  released(bytes: number): void;
}

/** Options of {@link FrameInbox}. */
export interface FrameInboxOptions {
  /** When deliveries run. Default {@link scheduleDelivery} (microtask, macrotask under load). */
  scheduler?: DeliveryScheduler | undefined;
  /**
   * Whether {@link ValuesFrame}s may be pushed (a connection that carries values). Default false: every frame is
   * bytes and goes straight to `receiver.frame`, with no type check per frame on TCP, WebSocket or memory.
   */
  carriesValues?: boolean | undefined;
  /**
   * Called after frames left the inbox (delivered to the receiver or dropped by `abort()`), with their total size
   * in bytes, at most once per delivery batch. Transports use it for `bufferedBytes` and flow-control credit.
   */
  onReleased?: ((bytes: number) => void) | undefined;
  /** As `onReleased`, as an object's method (no closure per inbox); used when `onReleased` is absent. */
  releaseListener?: FrameReleaseListener | undefined;
}

/** Holds compaction off until this many delivered slots sit at the front of the queue. */
const compactionThreshold = 4096;

/**
 * The receiving half every transport needs, in one place: it buffers frames until `start()`, delivers them in order
 * in batches through a {@link DeliveryScheduler} (never inside the stack that pushed them), and delivers `closed()`
 * exactly once, after the last frame. It allocates nothing per frame besides the queue slot.
 *
 * A receiver that throws does not break the order: the error is rethrown in a fresh microtask (so it surfaces as an
 * uncaught error, like an exception in an event listener) and delivery continues with the next frame.
 */
export class FrameInbox {
  #frames: (Uint8Array | ValuesFrame | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  #receiver: FrameReceiver | undefined;
  #endReason: CloseReason | undefined;
  #finished = false;
  #scheduled = false;
  /** Whether a frame is being handed to the receiver right now by {@link FrameInbox.pushFromOwnTask}. */
  #delivering = false;
  readonly #scheduler: DeliveryScheduler;
  readonly #carriesValues: boolean;
  readonly #onReleased: ((bytes: number) => void) | undefined;
  readonly #releaseListener: FrameReleaseListener | undefined;
  /** The scheduled delivery batch, made by the first request. */
  #drainTask: (() => void) | undefined = undefined;

  /** @param options scheduler and release callback; see {@link FrameInboxOptions}. */
  constructor(options: FrameInboxOptions = {}) {
    this.#scheduler = options.scheduler ?? scheduleDelivery;
    this.#carriesValues = options.carriesValues === true;
    this.#onReleased = options.onReleased;
    this.#releaseListener = options.onReleased === undefined ? options.releaseListener : undefined;
  }

  /** Bytes of frames pushed and not yet delivered (nor dropped). */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /** Number of frames pushed and not yet delivered (nor dropped). */
  get bufferedFrames(): number {
    return this.#frames.length - this.#head;
  }

  /** Whether `start()` was called. */
  get started(): boolean {
    return this.#receiver !== undefined;
  }

  /** Whether the end is known (`end()` or `abort()` was called); later pushes are refused. */
  get ended(): boolean {
    return this.#endReason !== undefined;
  }

  /** Whether `closed()` has been delivered to the receiver. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Starts delivery to `receiver`; buffered frames follow in a later turn.
   *
   * @throws Error when called a second time.
   */
  start(receiver: FrameReceiver): void {
    if (this.#receiver !== undefined) {
      throw new Error('expected start() to be called once per connection, but it was called again');
    }
    this.#receiver = receiver;
    this.#request();
  }

  /**
   * Queues one frame for delivery. Returns `false` (and keeps nothing) when the end is already known: the frame
   * came after the connection ended and is dropped.
   */
  push(frame: Uint8Array | ValuesFrame): boolean {
    if (this.#endReason !== undefined) return false;
    this.#frames.push(frame);
    this.#bytes += frameSize(frame);
    this.#request();
    return true;
  }

  /**
   * As {@link FrameInbox.push}, for a frame that arrived in an event-loop task of its own (a port message, a socket
   * read), never inside a sender's stack: when the receiver has started and nothing waits ahead of the frame, it is
   * delivered at once, saving the scheduled hop (a microtask, and the macrotask that refills the delivery budget).
   * Otherwise it queues behind the others, as `push` does. Returns `false` (and keeps nothing) after the end.
   */
  pushFromOwnTask(frame: Uint8Array | ValuesFrame): boolean {
    const receiver = this.#receiver;
    if (
      receiver === undefined ||
      this.#scheduled ||
      this.#delivering ||
      this.#endReason !== undefined ||
      this.#head !== this.#frames.length
    ) {
      return this.push(frame);
    }
    this.#delivering = true;
    try {
      deliver(receiver, frame, this.#carriesValues);
    } catch (error) {
      rethrowLater(error);
    } finally {
      this.#delivering = false;
    }
    this.#release(frameSize(frame));
    // The receiver may have ended the connection meanwhile: `closed()` follows in its own delivery.
    this.#request();
    return true;
  }

  /**
   * Records the end: `closed(reason)` is delivered after the frames already queued. Later calls (and `abort()`)
   * cannot change the reason. Returns whether this call set it.
   */
  end(reason: CloseReason): boolean {
    if (this.#endReason !== undefined) return false;
    this.#endReason = reason;
    this.#request();
    return true;
  }

  /**
   * Drops every frame not yet delivered and ends with `reason`, unless an end was already recorded (then that
   * reason stays, but the frames are still dropped). `closed()` follows promptly, in a later turn.
   */
  abort(reason: CloseReason): void {
    if (this.#finished) return;
    const dropped = this.#bytes;
    this.#frames = [];
    this.#head = 0;
    this.#bytes = 0;
    if (this.#endReason === undefined) this.#endReason = reason;
    if (dropped > 0) this.#release(dropped);
    this.#request();
  }

  #request(): void {
    if (this.#scheduled || this.#finished || this.#receiver === undefined) return;
    if (this.#head === this.#frames.length && this.#endReason === undefined) return;
    this.#scheduled = true;
    this.#scheduler((this.#drainTask ??= () => this.#drain()));
  }

  #release(bytes: number): void {
    if (this.#onReleased !== undefined) this.#onReleased(bytes);
    else this.#releaseListener?.released(bytes);
  }

  /**
   * Delivers the frames present when the batch starts, then `closed()` if the queue is empty and the end is known.
   * Frames pushed during the batch wait for the next one, so one busy connection cannot monopolise a turn.
   */
  #drain(): void {
    this.#scheduled = false;
    const receiver = this.#receiver;
    if (receiver === undefined || this.#finished) return;
    let remaining = this.#frames.length - this.#head;
    let released = 0;
    // A receiver may call abort() while we iterate, which empties the queue: re-check the bounds every time.
    while (remaining > 0 && this.#head < this.#frames.length) {
      remaining--;
      const frame = this.#frames[this.#head]!;
      this.#frames[this.#head++] = undefined;
      const size = frameSize(frame);
      this.#bytes -= size;
      released += size;
      try {
        deliver(receiver, frame, this.#carriesValues);
      } catch (error) {
        rethrowLater(error);
      }
    }
    if (this.#head === this.#frames.length) {
      this.#frames.length = 0;
      this.#head = 0;
    } else if (this.#head >= compactionThreshold) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
    if (released > 0) this.#release(released);
    if (this.#head === this.#frames.length && this.#endReason !== undefined && !this.#finished) {
      this.#finished = true;
      try {
        receiver.closed(this.#endReason);
      } catch (error) {
        rethrowLater(error);
      }
      return;
    }
    this.#request();
  }
}

/**
 * Hands a frame, or on a connection that carries values a values frame (dropped by a receiver that takes none), to
 * the receiver; a byte-only connection skips the type check.
 */
function deliver(receiver: FrameReceiver, frame: Uint8Array | ValuesFrame, carriesValues: boolean): void {
  if (carriesValues && frame instanceof ValuesFrame) receiver.values?.(frame.values, frame.byteLength);
  else receiver.frame(frame as Uint8Array);
}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
