import type { CloseOptions, CloseReason } from '../close-reason.ts';
import type { Connection } from '../connection.ts';
import { ConnectionClosedError } from '../connection-closed-error.ts';
import type { FrameReceiver } from '../frame-receiver.ts';
import { FrameTooLargeError } from '../frame-too-large-error.ts';
import { afterMicrotasks } from '../schedule-delivery.ts';
import type { ConnectionDriver, CoreDriverEvents, OutgoingFrame } from './connection-driver.ts';
import type { ConnectionSettings } from './connection-settings.ts';
import { describeError } from './describe-error.ts';
import { DrainWaiters } from './drain-waiters.ts';
import { FrameInbox, type FrameReleaseListener } from './frame-inbox.ts';
import { Heartbeat, type HeartbeatPort } from './heartbeat.ts';
import { frameSize, type ValuesFrame } from './values-frame.ts';

// Why one file over 450 lines: this is one state machine (open, closing, closed) whose every method
// reads and writes the same few fields (state, close reason, send queue, budget, timers); its
// independent pieces already live beside it (heartbeat.ts, frame-inbox.ts, drain-waiters.ts,
// describe-error.ts), and what only other media than a browser's WebSocket need is driven-connection.ts.

/**
 * What one ping counts against `maxBufferedBytes` when it gets no pong of its own, because a pong already went out
 * this turn or our earlier output still waits in the medium (either answers the peer just as well once it reads).
 */
const owedAnswerBytes = 4;

const resolved = Promise.resolve();

function ignore(): void {}

/**
 * The connection lifecycle, written once: a {@link Connection} over a {@link ConnectionDriver} that knows the medium.
 * This core is what every medium needs, and all a browser's WebSocket needs (its platform closes, never pauses and
 * writes whole messages); {@link DrivenConnection} adds what other media report or can do (the peer's in-band close
 * and abort, pausing reading, flow-control credit, writing frame by frame, failed allocations), so a page does not
 * carry those paths.
 *
 * States: `open` → `closing` (our graceful close is under way) → `closed`; or `open` → `closed` directly (the peer
 * closed or aborted, we aborted, the medium ended, a deadline or a budget ran out). `closed` settles exactly once,
 * with the first reason; the receiver sees it through the {@link FrameInbox}, after every frame still to deliver
 * (or at once, with what was undelivered dropped, for the abort-like endings).
 *
 * Sending: `send()` checks the state and the frame cap and hands the turn's frames to the driver together, after
 * the turn (`coalesceWrites`; {@link DrivenConnection} also writes frame by frame). It allocates nothing per frame
 * beyond the queue slot and adds no promise hop.
 *
 * Budgets: every byte the connection makes the process hold for the peer counts against `maxBufferedBytes`:
 * frames queued here, what the driver's medium still holds (`heldBytes`, control records included) and the
 * heartbeat answers the peer asked for while it was not reading. Past the budget the connection ends with `limit`.
 * Arriving frames are bounded by `maxFrameBytes` (settable per connection with `setMaxFrameBytes`).
 */
export class DrivenConnectionCore<Driver extends ConnectionDriver = ConnectionDriver> implements Connection {
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly addressesObservable: boolean;
  readonly closed: Promise<CloseReason>;
  /** The medium's side of this connection. */
  protected readonly driver: Driver;
  // The limits this lifecycle reads, copied out of the settings (which transports build per connection, often by
  // spreading their own options: keeping that object would keep all of it).
  /** The transport's frame cap: the ceiling of `setMaxFrameBytes`. */
  readonly #maxFrameBytesCeiling: number;
  readonly #maxBufferedBytes: number;
  readonly #lowWaterMarkBytes: number;
  readonly #closeTimeoutMs: number;
  // Memory: an idle connection is what a server holds by the thousand. Every field is set here or in the constructor
  // in one fixed order (no property added later, none deleted), the driver reports to one small port object whose
  // methods live on a shared prototype, and waiters, timers and the coalescing queue exist only once needed.
  // The fields and methods named with a trailing _ are the lifecycle's own, shared with DrivenConnection.
  /** @internal */
  readonly inbox_: FrameInbox;
  /** Created by the first `whenDrained()` that has to wait. */
  #drained: DrainWaiters | undefined = undefined;
  /** @internal */
  readonly heartbeat_: Heartbeat | undefined;
  /** Whether frames may be delivered from the driver's report at once (see {@link ConnectionDriver.framesArriveInOwnTask}). */
  readonly #ownTaskFrames: boolean;
  #maxFrameBytes: number;
  /** @internal */
  state_: 'open' | 'closing' | 'closed' = 'open';
  #reason: CloseReason | undefined = undefined;
  #localCloseReason: CloseReason | undefined = undefined;
  #resolveClosed!: (reason: CloseReason) => void;
  /** Frames accepted by send() this turn and not yet given to the driver; made at need. */
  #outgoing: OutgoingFrame[] | undefined = undefined;
  #outgoingBytes = 0;
  #flushScheduled = false;
  /** The microtask that flushes `#outgoing`, made by the first send. */
  #flushTask: (() => void) | undefined = undefined;
  /** The microtask that ends a pong's turn, made by the first pong. */
  #endTurnTask: (() => void) | undefined = undefined;
  /** @internal Whether reading is paused (only {@link DrivenConnection} pauses): the heartbeat then counts no silence. */
  readingPaused_ = false;
  /**
   * Pings answered by an earlier answer, in bytes (see {@link owedAnswerBytes}), since our frames last left the
   * medium entirely: a peer that asks and asks while reading nothing spends the output budget this way.
   */
  #owedBytes = 0;
  /** Whether a pong went out in this turn (pings in the same turn share it). */
  #pongThisTurn = false;
  /** Whether frames were written since `#owedBytes` started counting. */
  #framesSinceOwed = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  /**
   * @param settings addresses, limits and timeouts (`receiveBufferBytes` and `coalesceWrites` are
   *   {@link DrivenConnection}'s: this core never pauses and always coalesces)
   * @param createDriver builds the driver, given the events it reports to (called once, from this constructor)
   */
  constructor(
    settings: Omit<ConnectionSettings, 'receiveBufferBytes' | 'coalesceWrites'>,
    createDriver: (events: CoreDriverEvents) => Driver,
  ) {
    this.#maxFrameBytesCeiling = settings.maxFrameBytes;
    this.#maxBufferedBytes = settings.maxBufferedBytes;
    this.#lowWaterMarkBytes = settings.lowWaterMarkBytes;
    this.#closeTimeoutMs = settings.closeTimeoutMs;
    this.localAddress = settings.localAddress;
    this.remoteAddress = settings.remoteAddress;
    this.addressesObservable = settings.addressesObservable ?? true;
    this.#maxFrameBytes = settings.maxFrameBytes;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    const port = this.createPort_();
    this.inbox_ = new FrameInbox({
      scheduler: settings.scheduler,
      releaseListener: port,
      // A subclass that carries values says so by its prototype's getter, readable here.
      carriesValues: (this as Connection).carriesValues === true,
    });
    const driver = createDriver(port);
    this.driver = driver;
    // A scheduler given in the settings (a test replaying a seeded order) decides every delivery.
    this.#ownTaskFrames = driver.framesArriveInOwnTask === true && settings.scheduler === undefined;
    this.heartbeat_ =
      settings.idleTimeoutMs > 0 && driver.sendPing !== undefined && driver.sendPong !== undefined
        ? new Heartbeat(
            settings.idleTimeoutMs,
            settings.heartbeatIntervalMs,
            new DrivenConnectionCore.#HeartbeatHooks(this),
          )
        : undefined;
  }

  get maxFrameBytes(): number {
    return this.#maxFrameBytes;
  }

  get bufferedBytes(): number {
    return this.#outgoingBytes + this.driver.heldBytes;
  }

  setMaxFrameBytes(bytes: number): void {
    const ceiling = this.#maxFrameBytesCeiling;
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > ceiling) {
      throw new RangeError(`expected maxFrameBytes to be a whole number from 0 to ${ceiling}, got ${bytes}`);
    }
    this.#maxFrameBytes = bytes;
    this.driver.maxFrameBytesChanged?.(bytes);
  }

  start(receiver: FrameReceiver): void {
    this.inbox_.start(receiver);
  }

  send(frame: Uint8Array | ValuesFrame): void {
    const size = frameSize(frame);
    this.checkSendable_(size, frame);
    this.writeFrame_(frame, size);
  }

  /**
   * @internal Throws unless a frame of `size` bytes (NaN for what is no frame) may be sent now.
   * @throws ConnectionClosedError, FrameTooLargeError or TypeError, as `send()` documents
   */
  checkSendable_(size: number, frame: unknown): void {
    if (this.state_ !== 'open') throw new ConnectionClosedError(this.#reason);
    if (!(size <= this.#maxFrameBytes)) {
      if (size > this.#maxFrameBytes) throw new FrameTooLargeError(size, this.#maxFrameBytes);
      throw new TypeError(`expected a Uint8Array frame, got ${Object.prototype.toString.call(frame)}`);
    }
  }

  /**
   * @internal Hands an accepted frame on: with the rest of the turn's frames after the turn (here), or at once
   * ({@link DrivenConnection} without `coalesceWrites`).
   */
  writeFrame_(frame: OutgoingFrame, size: number): void {
    (this.#outgoing ??= []).push(frame);
    this.#outgoingBytes += size;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // Everything sent in this turn goes out together, after the sender's synchronous code and (from a
      // microtask, as a session sends) after the turn's other microtasks: a pipelined chain's returns, which
      // settle a few microtasks apart, leave in one write.
      afterMicrotasks((this.#flushTask ??= () => this.flushOutgoing_()));
    }
  }

  whenDrained(): Promise<void> {
    if (this.state_ === 'closed' || this.bufferedBytes <= this.#lowWaterMarkBytes) return resolved;
    const waiters = (this.#drained ??= new DrainWaiters());
    const first = !waiters.waiting;
    const drained = waiters.wait();
    if (first) this.driver.drainAwaited?.();
    return drained;
  }

  close(options: CloseOptions = {}): Promise<void> {
    if (this.state_ === 'open') {
      this.state_ = 'closing';
      const code = options.code ?? 'normal';
      this.#localCloseReason = {
        code,
        message: options.message ?? 'closed by this side',
        remote: false,
      };
      // Frames sent before close() go first, then the close.
      this.flushOutgoing_();
      this.driver.sendClose(code, options.message ?? 'the peer closed the connection');
      const closeTimeoutMs = this.#closeTimeoutMs;
      if (closeTimeoutMs > 0 && this.state_ === 'closing') {
        this.#closeTimer = setTimeout(() => {
          this.endConnection_({
            code: 'timeout',
            message: `expected the peer to confirm the close within ${closeTimeoutMs} ms`,
            remote: false,
          });
          this.driver.reset();
        }, closeTimeoutMs);
        (this.#closeTimer as { unref?: () => void }).unref?.();
      }
    }
    return this.closed.then(ignore);
  }

  abort(error?: unknown): void {
    if (this.state_ === 'closed') return;
    const described = describeError(error);
    const reason: CloseReason = {
      code: 'aborted',
      message: `aborted by this side (${described})`,
      remote: false,
      error,
    };
    this.dropOutgoing_();
    this.finishConnection_(reason);
    this.inbox_.abort(reason);
    this.driver.sendAbort('aborted', `the peer aborted the connection (${described})`);
  }

  // ——— sending ———

  /** @internal Gives the frames queued this turn to the driver. */
  flushOutgoing_(): void {
    this.#flushScheduled = false;
    const frames = this.#outgoing;
    if (frames === undefined || frames.length === 0) return;
    this.#outgoing = undefined;
    this.#outgoingBytes = 0;
    this.heartbeat_?.sent();
    this.driver.writeFrames(frames);
    this.framesWritten_();
  }

  /** @internal Frames went to the driver: the owed answers may go with them, and the budget is checked. */
  framesWritten_(): void {
    this.#framesSinceOwed = true;
    if (this.driver.heldBytes + this.#owedBytes > this.#maxBufferedBytes) this.#overBudget();
  }

  #sendControl(send: () => void): void {
    this.heartbeat_?.sent();
    send.call(this.driver);
  }

  /** @internal */
  dropOutgoing_(): void {
    this.#outgoing = undefined;
    this.#outgoingBytes = 0;
  }

  #overBudget(): void {
    if (this.state_ === 'closed') return;
    const held = this.bufferedBytes + this.#owedBytes;
    const budget = this.#maxBufferedBytes;
    this.dropOutgoing_();
    this.endConnection_({
      code: 'limit',
      message: `expected the peer to read, but ${held} bytes wait for it, more than maxBufferedBytes (${budget})`,
      remote: false,
    });
    this.driver.sendAbort(
      'limit',
      `the peer ended the connection: more than ${budget} bytes waited for this side to read`,
    );
  }

  // ——— receiving ———

  #frame(frame: Uint8Array | ValuesFrame): void {
    const size = frameSize(frame);
    if (size > this.#maxFrameBytes) {
      this.#violation(`expected frames of at most ${this.#maxFrameBytes} bytes, got ${size}`);
      return;
    }
    const inbox = this.inbox_;
    if (this.#ownTaskFrames ? inbox.pushFromOwnTask(frame) : inbox.push(frame)) this.frameQueued_();
    else this.frameDropped_(size); // arrived after the end
  }

  /** @internal A frame went into the inbox (it may already be delivered). Nothing more here. */
  frameQueued_(): void {}

  /** @internal A frame of `bytes` arrived after the end and was dropped. Nothing more here. */
  frameDropped_(_bytes: number): void {}

  /** @internal `bytes` of frames left the inbox (delivered or dropped). Nothing more here. */
  framesReleased_(_bytes: number): void {}

  /**
   * Answers a ping with one pong, unless an answer is already on its way: a pong sent earlier in this turn, or our
   * output still waiting in the medium. Answering again would only queue more bytes for a peer that may not read;
   * the pings without a pong of their own count against the budget instead (see {@link owedAnswerBytes}).
   */
  #ping(): void {
    if (this.state_ === 'closed' || this.driver.sendPong === undefined) return;
    if (!this.#pongThisTurn && this.#outgoingBytes === 0 && this.driver.heldBytes === 0) {
      this.#pongThisTurn = true;
      queueMicrotask((this.#endTurnTask ??= () => this.#endTurn()));
      this.#sendControl(this.driver.sendPong);
      return;
    }
    if (this.#owedBytes === 0) this.#framesSinceOwed = false;
    this.#owedBytes += owedAnswerBytes;
    if (this.bufferedBytes + this.#owedBytes > this.#maxBufferedBytes) this.#overBudget();
  }

  #endTurn(): void {
    this.#pongThisTurn = false;
  }

  #written(): void {
    // Our frames left the medium entirely: the owed answers go with them.
    if (this.#framesSinceOwed && this.driver.heldBytes === 0) this.#owedBytes = 0;
    if (this.bufferedBytes <= this.#lowWaterMarkBytes) this.#drained?.release();
  }

  #violation(message: string, error?: unknown): void {
    if (this.state_ === 'closed') return;
    this.dropOutgoing_();
    // The frames that arrived intact before the violation are still delivered.
    this.endConnection_({
      code: 'protocol',
      message,
      remote: true,
      ...(error === undefined ? {} : { error }),
    });
    this.driver.sendAbort('protocol', `the peer broke the protocol: ${message}`);
  }

  // ——— ending ———

  /** @internal Settles the connection with `reason` (unless settled) and lets the receiver see it after the frames so far. */
  endConnection_(reason: CloseReason): void {
    if (this.state_ === 'closed') return;
    this.finishConnection_(reason);
    this.inbox_.end(reason);
  }

  /** @internal Ends dropping what was not delivered (the reason already settled stays). */
  dropFrames_(reason: CloseReason): void {
    this.dropOutgoing_();
    this.finishConnection_(reason);
    this.inbox_.abort(this.#reason ?? reason);
  }

  /** @internal Settles the connection with `reason` unless it is settled; the receiver is not told here. */
  finishConnection_(reason: CloseReason): void {
    if (this.#reason !== undefined) return;
    this.state_ = 'closed';
    this.#reason = reason;
    this.heartbeat_?.stop();
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#resolveClosed(reason);
    this.#drained?.release();
    this.driver.detach?.();
  }

  // ——— the ports ———

  /**
   * @internal The port the driver reports through (and the inbox's release listener), made once, by the
   * constructor, before any field of a subclass is set: {@link DrivenConnection} makes one with its own events.
   */
  createPort_(): CoreDriverEvents & FrameReleaseListener {
    return new DrivenConnectionCore.DriverPort_(this);
  }

  /**
   * @internal The core's port: one small object per connection whose methods, shared on the prototype, call into
   * the lifecycle. Nested here so it may read the private state; {@link DrivenConnection}'s port extends it.
   */
  static readonly DriverPort_ = class DriverPort implements CoreDriverEvents, FrameReleaseListener {
    /** @internal */
    readonly connection_: DrivenConnectionCore;

    constructor(connection: DrivenConnectionCore) {
      this.connection_ = connection;
    }

    get closing(): boolean {
      return this.connection_.state_ === 'closing';
    }

    get drainAwaited(): boolean {
      return this.connection_.#drained?.waiting ?? false;
    }

    frame(frame: Uint8Array | ValuesFrame): void {
      this.connection_.#frame(frame);
    }

    heard(): void {
      this.connection_.heartbeat_?.heard();
    }

    ping(): void {
      this.connection_.#ping();
    }

    written(): void {
      this.connection_.#written();
    }

    closeConfirmed(): void {
      const connection = this.connection_;
      if (connection.state_ === 'closing') connection.endConnection_(connection.#localCloseReason!);
    }

    violation(message: string, error?: unknown): void {
      this.connection_.#violation(message, error);
    }

    ended(reason: CloseReason): void {
      const connection = this.connection_;
      connection.finishConnection_(reason);
      connection.inbox_.end(connection.#reason ?? reason);
    }

    released(bytes: number): void {
      this.connection_.framesReleased_(bytes);
    }
  };

  /** What the heartbeat does on a tick, for connections that have one (same shape as {@link DrivenConnectionCore.DriverPort_}). */
  static readonly #HeartbeatHooks = class HeartbeatHooks implements HeartbeatPort {
    readonly #connection: DrivenConnectionCore;

    constructor(connection: DrivenConnectionCore) {
      this.#connection = connection;
    }

    readingPaused(): boolean {
      return this.#connection.readingPaused_;
    }

    ping(): void {
      const driver = this.#connection.driver;
      this.#connection.#sendControl(driver.sendPing!);
    }

    pong(): void {
      const driver = this.#connection.driver;
      this.#connection.#sendControl(driver.sendPong!);
    }

    silent(idleTimeoutMs: number): void {
      this.#connection.endConnection_({
        code: 'timeout',
        message: `expected to hear from the peer every ${idleTimeoutMs} ms, but it went silent`,
        remote: true,
      });
      this.#connection.driver.reset();
    }
  };
}
