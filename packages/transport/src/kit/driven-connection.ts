import type { CloseCode, CloseReason } from '../close-reason.ts';
import type { ConnectionDriver, CoreDriverEvents, DriverEvents, OutgoingFrame } from './connection-driver.ts';
import type { ConnectionSettings } from './connection-settings.ts';
import { describeError } from './describe-error.ts';
import { DrivenConnectionCore } from './driven-connection-core.ts';
import type { FrameReleaseListener } from './frame-inbox.ts';
import { PartsFrame } from './parts-frame.ts';

/**
 * The one-slot array that hands a frame to a driver without `coalesceWrites`, shared by every connection (drivers
 * read it during the call only). Its slot is set and cleared, never its length (setting an array's length is a
 * runtime call). A driver that sends on another connection from inside `writeFrames` finds it in use and gets a
 * fresh array instead.
 */
const single: OutgoingFrame[] = [new Uint8Array(0)];
const empty = single[0]!;
let singleInUse = false;

/** The bytes `parts` make up (`size` of them), in one new array: for a driver that does not take parts. */
function joinParts(parts: readonly Uint8Array[], size: number): Uint8Array {
  const frame = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    frame.set(part, offset);
    offset += part.length;
  }
  return frame;
}

/**
 * The connection lifecycle ({@link DrivenConnectionCore}: states, sending, closing, budgets, heartbeats) with what
 * media other than a browser's WebSocket report or can do: the peer's close and abort carried in the medium
 * ({@link DriverEvents.peerClosed}, `peerAborted`, answered with {@link ConnectionDriver.answerClose}), a medium
 * that settles before its last frames arrive or breaks losing them (`settle`, `broken`), a buffer for an arriving
 * frame that could not be allocated (`allocationFailed`), pausing reading while the receiver is behind (more than
 * `receiveBufferBytes` undelivered, resumed below half of it), flow-control credit for the peer as frames leave
 * the inbox ({@link ConnectionDriver.framesReleased}), and writing each frame at once without `coalesceWrites`.
 * Every transport's connection but the browser's is one.
 */
export class DrivenConnection<
  Driver extends ConnectionDriver = ConnectionDriver,
> extends DrivenConnectionCore<Driver> {
  // Set after the core's constructor, which makes the port and the driver: a driver reports nothing from inside
  // its own construction.
  readonly #receiveBufferBytes: number;
  readonly #coalesce: boolean;

  /**
   * @param settings addresses, limits and timeouts
   * @param createDriver builds the driver, given the events it reports to (called once, from this constructor)
   */
  constructor(settings: ConnectionSettings, createDriver: (events: DriverEvents) => Driver) {
    super(settings, createDriver as (events: CoreDriverEvents) => Driver);
    this.#receiveBufferBytes = settings.receiveBufferBytes;
    this.#coalesce = settings.coalesceWrites;
  }

  /** @internal */
  override createPort_(): DriverEvents & FrameReleaseListener {
    return new FullDriverPort(this);
  }

  /** Whether {@link DrivenConnection.sendParts} writes the pieces as they are: the driver's {@link ConnectionDriver.takesParts}. */
  get takesParts(): boolean {
    return this.driver.takesParts === true;
  }

  sendParts(parts: readonly Uint8Array[]): void {
    this.checkSendable_(0, parts); // closed first, as send() says
    if (!Array.isArray(parts)) {
      throw new TypeError(
        `expected an array of Uint8Array pieces, got ${Object.prototype.toString.call(parts)}`,
      );
    }
    let size = 0;
    for (const part of parts) {
      if (!(part instanceof Uint8Array)) {
        throw new TypeError(`expected Uint8Array pieces, got ${Object.prototype.toString.call(part)}`);
      }
      size += part.length;
    }
    this.checkSendable_(size, parts);
    this.writeFrame_(
      this.driver.takesParts === true ? new PartsFrame(parts, size) : joinParts(parts, size),
      size,
    );
  }

  /** @internal */
  override writeFrame_(frame: OutgoingFrame, size: number): void {
    if (this.#coalesce) {
      super.writeFrame_(frame, size);
      return;
    }
    if (!singleInUse) {
      singleInUse = true;
      single[0] = frame;
      try {
        this.driver.writeFrames(single);
      } finally {
        single[0] = empty;
        singleInUse = false;
      }
    } else {
      this.driver.writeFrames([frame]);
    }
    this.framesWritten_();
  }

  /** @internal */
  override frameQueued_(): void {
    if (
      !this.readingPaused_ &&
      this.inbox_.bufferedBytes > this.#receiveBufferBytes &&
      this.driver.pauseReading !== undefined
    ) {
      // Our receiver is behind: stop reading so the medium pushes back on the sender (the heartbeat knows).
      this.readingPaused_ = true;
      this.driver.pauseReading();
    }
  }

  /** @internal */
  override frameDropped_(bytes: number): void {
    // Arrived after the end: dropped, and the peer gets its credit back.
    this.driver.framesReleased?.(bytes);
  }

  /** @internal */
  override framesReleased_(bytes: number): void {
    this.driver.framesReleased?.(bytes);
    if (this.readingPaused_ && this.inbox_.bufferedBytes <= this.#receiveBufferBytes / 2) {
      this.readingPaused_ = false;
      this.heartbeat_?.resumed();
      this.driver.resumeReading?.();
    }
  }

  /** @internal The driver of this connection, for its port. */
  get medium_(): Driver {
    return this.driver;
  }
}

/**
 * The port of a {@link DrivenConnection}: the core's (whose methods it inherits) with the events only other media
 * report. One small object per connection, its methods on the shared prototype.
 */
class FullDriverPort extends DrivenConnectionCore.DriverPort_ implements DriverEvents {
  declare readonly connection_: DrivenConnection;

  peerClosed(code: CloseCode, message: string): void {
    const connection = this.connection_;
    if (connection.state_ === 'open') {
      connection.endConnection_({ code, message, remote: true });
      // Answer after what we had sent (the peer reads until our answer).
      connection.flushOutgoing_();
      connection.medium_.answerClose();
    } else if (connection.state_ === 'closing') {
      connection.medium_.answerClose();
    }
  }

  peerAborted(code: CloseCode, message: string): void {
    this.connection_.dropFrames_({ code, message, remote: true });
    this.connection_.medium_.reset();
  }

  settle(reason: CloseReason): void {
    this.connection_.finishConnection_(reason);
  }

  broken(reason: CloseReason): void {
    this.connection_.dropFrames_(reason);
  }

  allocationFailed(bytes: number, error: unknown): void {
    const connection = this.connection_;
    if (connection.state_ === 'closed') return;
    connection.dropOutgoing_();
    connection.endConnection_({
      code: 'limit',
      message: `expected to allocate ${bytes} bytes for an arriving frame, but the allocation failed (${describeError(error)})`,
      remote: false,
      error,
    });
    connection.medium_.sendAbort('limit', `the peer could not hold a frame of ${bytes} bytes`);
  }
}
