import type { CloseCode, CloseOptions, CloseReason } from '../close-reason.ts';
import type { Connection } from '../connection.ts';
import { ConnectionClosedError } from '../connection-closed-error.ts';
import type { FrameReceiver } from '../frame-receiver.ts';
import { FrameTooLargeError } from '../frame-too-large-error.ts';
import { afterMicrotasks } from '../schedule-delivery.ts';
import type { ConnectionDriver, DriverEvents } from './connection-driver.ts';
import type { ConnectionSettings } from './connection-settings.ts';
import { describeError } from './describe-error.ts';
import { DrainWaiters } from './drain-waiters.ts';
import { FrameInbox, type FrameReleaseListener } from './frame-inbox.ts';
import { Heartbeat, type HeartbeatPort } from './heartbeat.ts';
import type { ValuesFrame } from './values-frame.ts';

// Why one file over 450 lines: this is one state machine (open, closing, closed) whose every method
// reads and writes the same few fields (state, close reason, send queue, budget, timers); its
// independent pieces already live beside it (heartbeat.ts, frame-inbox.ts, drain-waiters.ts,
// describe-error.ts), and what remains split further would pass the state around instead of holding it.

/**
 * What one ping counts against `maxBufferedBytes` when it gets no pong of its own, because a pong already went out
 * this turn or our earlier output still waits in the medium (either answers the peer just as well once it reads).
 */
const owedAnswerBytes = 4;

const resolved = Promise.resolve();

function ignore(): void {}

/**
 * The one-slot array that hands a frame to a driver without `coalesceWrites`, shared by every connection (drivers
 * read it during the call only). A driver that sends on another connection from inside `writeFrames` finds it in
 * use and gets a fresh array instead.
 */
const single: (Uint8Array | ValuesFrame)[] = [];

/**
 * The connection lifecycle, written once: a {@link Connection} over a {@link ConnectionDriver} that knows the medium.
 *
 * States: `open` → `closing` (our graceful close is under way) → `closed`; or `open` → `closed` directly (the peer
 * closed or aborted, we aborted, the medium ended, a deadline or a budget ran out). `closed` settles exactly once,
 * with the first reason; the receiver sees it through the {@link FrameInbox}, after every frame still to deliver
 * (or at once, with what was undelivered dropped, for the abort-like endings).
 *
 * Sending: `send()` checks the state and the frame cap and hands the frame to the driver, at once or (with
 * `coalesceWrites`) with the rest of the turn's frames after the turn. It allocates nothing per frame beyond the
 * queue slot and adds no promise hop.
 *
 * Budgets: every byte the connection makes the process hold for the peer counts against `maxBufferedBytes`:
 * frames queued here, what the driver's medium still holds (`heldBytes`, control records included) and the
 * heartbeat answers the peer asked for while it was not reading. Past the budget the connection ends with `limit`.
 * Arriving frames are bounded by `maxFrameBytes` (settable per connection with `setMaxFrameBytes`) and, for media
 * that can pause, by `receiveBufferBytes` of undelivered frames.
 */
export class DrivenConnection<Driver extends ConnectionDriver = ConnectionDriver> implements Connection {
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
  readonly #receiveBufferBytes: number;
  readonly #closeTimeoutMs: number;
  // Memory: an idle connection is what a server holds by the thousand. Every field is set here or in the constructor
  // in one fixed order (no property added later, none deleted), the driver reports to one small port object whose
  // methods live on a shared prototype, and waiters, timers and the coalescing queue exist only once needed.
  readonly #inbox: FrameInbox;
  /** Created by the first `whenDrained()` that has to wait. */
  #drained: DrainWaiters | undefined = undefined;
  readonly #heartbeat: Heartbeat | undefined;
  readonly #coalesce: boolean;
  /** Whether frames may be delivered from the driver's report at once (see {@link ConnectionDriver.framesArriveInOwnTask}). */
  readonly #ownTaskFrames: boolean;
  #maxFrameBytes: number;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #reason: CloseReason | undefined = undefined;
  #localCloseReason: CloseReason | undefined = undefined;
  #resolveClosed!: (reason: CloseReason) => void;
  /** Frames accepted by send() this turn and not yet given to the driver (with `coalesceWrites`); made at need. */
  #outgoing: (Uint8Array | ValuesFrame)[] | undefined = undefined;
  #outgoingBytes = 0;
  #flushScheduled = false;
  /** The microtask that flushes `#outgoing`, made by the first coalesced send. */
  #flushTask: (() => void) | undefined = undefined;
  /** The microtask that ends a pong's turn, made by the first pong. */
  #endTurnTask: (() => void) | undefined = undefined;
  #readingPaused = false;
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
   * @param settings addresses, limits and timeouts
   * @param createDriver builds the driver, given the events it reports to (called once, from this constructor)
   */
  constructor(settings: ConnectionSettings, createDriver: (events: DriverEvents) => Driver) {
    this.#maxFrameBytesCeiling = settings.maxFrameBytes;
    this.#maxBufferedBytes = settings.maxBufferedBytes;
    this.#lowWaterMarkBytes = settings.lowWaterMarkBytes;
    this.#receiveBufferBytes = settings.receiveBufferBytes;
    this.#closeTimeoutMs = settings.closeTimeoutMs;
    this.localAddress = settings.localAddress;
    this.remoteAddress = settings.remoteAddress;
    this.addressesObservable = settings.addressesObservable ?? true;
    this.#maxFrameBytes = settings.maxFrameBytes;
    this.#coalesce = settings.coalesceWrites;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    const port = new DrivenConnection.#Port(this);
    this.#inbox = new FrameInbox({
      ...(settings.scheduler === undefined ? {} : { scheduler: settings.scheduler }),
      releaseListener: port,
      // A subclass that carries values says so by its prototype's getter, readable here.
      carriesValues: (this as Connection).carriesValues === true,
    });
    const driver = createDriver(port);
    this.driver = driver;
    // A scheduler given in the settings (a test replaying a seeded order) decides every delivery.
    this.#ownTaskFrames = driver.framesArriveInOwnTask === true && settings.scheduler === undefined;
    this.#heartbeat =
      settings.idleTimeoutMs > 0 && driver.sendPing !== undefined && driver.sendPong !== undefined
        ? new Heartbeat(
            settings.idleTimeoutMs,
            settings.heartbeatIntervalMs,
            new DrivenConnection.#HeartbeatHooks(this),
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
    this.#inbox.start(receiver);
  }

  send(frame: Uint8Array | ValuesFrame): void {
    if (this.#state !== 'open') throw new ConnectionClosedError(this.#reason);
    if (frame.byteLength > this.#maxFrameBytes)
      throw new FrameTooLargeError(frame.byteLength, this.#maxFrameBytes);
    if (this.#coalesce) {
      (this.#outgoing ??= []).push(frame);
      this.#outgoingBytes += frame.byteLength;
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // Everything sent in this turn goes out together, after the sender's synchronous code and (from a
        // microtask, as a session sends) after the turn's other microtasks: a pipelined chain's returns, which
        // settle a few microtasks apart, leave in one write.
        afterMicrotasks((this.#flushTask ??= () => this.#flush()));
      }
      return;
    }
    if (single.length === 0) {
      single.push(frame);
      try {
        this.driver.writeFrames(single);
      } finally {
        single.length = 0;
      }
    } else {
      this.driver.writeFrames([frame]);
    }
    this.#framesSinceOwed = true;
    if (this.driver.heldBytes + this.#owedBytes > this.#maxBufferedBytes) this.#overBudget();
  }

  whenDrained(): Promise<void> {
    if (this.#state === 'closed' || this.bufferedBytes <= this.#lowWaterMarkBytes) return resolved;
    const waiters = (this.#drained ??= new DrainWaiters());
    const first = !waiters.waiting;
    const drained = waiters.wait();
    if (first) this.driver.drainAwaited?.();
    return drained;
  }

  close(options: CloseOptions = {}): Promise<void> {
    if (this.#state === 'open') {
      this.#state = 'closing';
      const code = options.code ?? 'normal';
      this.#localCloseReason = {
        code,
        message: options.message ?? 'closed by this side',
        remote: false,
      };
      // Frames sent before close() go first, then the close.
      this.#flush();
      this.driver.sendClose(code, options.message ?? 'the peer closed the connection');
      const closeTimeoutMs = this.#closeTimeoutMs;
      if (closeTimeoutMs > 0 && this.#state === 'closing') {
        this.#closeTimer = setTimeout(() => {
          this.#end({
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
    if (this.#state === 'closed') return;
    const described = describeError(error);
    const reason: CloseReason = {
      code: 'aborted',
      message: `aborted by this side (${described})`,
      remote: false,
      error,
    };
    this.#dropOutgoing();
    this.#finish(reason);
    this.#inbox.abort(reason);
    this.driver.sendAbort('aborted', `the peer aborted the connection (${described})`);
  }

  // ——— sending ———

  #flush(): void {
    this.#flushScheduled = false;
    const frames = this.#outgoing;
    if (frames === undefined || frames.length === 0) return;
    this.#outgoing = undefined;
    this.#outgoingBytes = 0;
    this.#heartbeat?.sent();
    this.driver.writeFrames(frames);
    this.#framesSinceOwed = true;
    if (this.driver.heldBytes + this.#owedBytes > this.#maxBufferedBytes) this.#overBudget();
  }

  #sendControl(send: () => void): void {
    this.#heartbeat?.sent();
    send.call(this.driver);
  }

  #dropOutgoing(): void {
    this.#outgoing = undefined;
    this.#outgoingBytes = 0;
  }

  #overBudget(): void {
    if (this.#state === 'closed') return;
    const held = this.bufferedBytes + this.#owedBytes;
    const budget = this.#maxBufferedBytes;
    this.#dropOutgoing();
    this.#end({
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
    if (frame.byteLength > this.#maxFrameBytes) {
      this.#violation(`expected frames of at most ${this.#maxFrameBytes} bytes, got ${frame.byteLength}`);
      return;
    }
    const inbox = this.#inbox;
    if (!(this.#ownTaskFrames ? inbox.pushFromOwnTask(frame) : inbox.push(frame))) {
      // Arrived after the end: dropped, and the peer gets its credit back.
      this.driver.framesReleased?.(frame.byteLength);
      return;
    }
    if (
      !this.#readingPaused &&
      inbox.bufferedBytes > this.#receiveBufferBytes &&
      this.driver.pauseReading !== undefined
    ) {
      // Our receiver is behind: stop reading so the medium pushes back on the sender (the heartbeat knows).
      this.#readingPaused = true;
      this.driver.pauseReading();
    }
  }

  #released(bytes: number): void {
    this.driver.framesReleased?.(bytes);
    if (this.#readingPaused && this.#inbox.bufferedBytes <= this.#receiveBufferBytes / 2) {
      this.#readingPaused = false;
      this.#heartbeat?.resumed();
      this.driver.resumeReading?.();
    }
  }

  /**
   * Answers a ping with one pong, unless an answer is already on its way: a pong sent earlier in this turn, or our
   * output still waiting in the medium. Answering again would only queue more bytes for a peer that may not read;
   * the pings without a pong of their own count against the budget instead (see {@link owedAnswerBytes}).
   */
  #ping(): void {
    if (this.#state === 'closed' || this.driver.sendPong === undefined) return;
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
    if (this.#state === 'closed') return;
    this.#dropOutgoing();
    // The frames that arrived intact before the violation are still delivered.
    this.#end({ code: 'protocol', message, remote: true, ...(error === undefined ? {} : { error }) });
    this.driver.sendAbort('protocol', `the peer broke the protocol: ${message}`);
  }

  // ——— ending ———

  /** Settles the connection with `reason` (unless settled) and lets the receiver see it after the frames so far. */
  #end(reason: CloseReason): void {
    if (this.#state === 'closed') return;
    this.#finish(reason);
    this.#inbox.end(reason);
  }

  /** Ends dropping what was not delivered (the reason already settled stays). */
  #drop(reason: CloseReason): void {
    this.#dropOutgoing();
    this.#finish(reason);
    this.#inbox.abort(this.#reason ?? reason);
  }

  #finish(reason: CloseReason): void {
    if (this.#reason !== undefined) return;
    this.#state = 'closed';
    this.#reason = reason;
    this.#heartbeat?.stop();
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#resolveClosed(reason);
    this.#drained?.release();
    this.driver.detach?.();
  }

  // ——— the ports ———

  /**
   * The port the driver reports through (and the inbox's release listener): one small object per connection whose
   * methods, shared on the prototype, call into the lifecycle. Nested here so it may read the private state.
   */
  static readonly #Port = class DriverPort implements DriverEvents, FrameReleaseListener {
    readonly #connection: DrivenConnection;

    constructor(connection: DrivenConnection) {
      this.#connection = connection;
    }

    get closing(): boolean {
      return this.#connection.#state === 'closing';
    }

    get drainAwaited(): boolean {
      return this.#connection.#drained?.waiting ?? false;
    }

    frame(frame: Uint8Array | ValuesFrame): void {
      this.#connection.#frame(frame);
    }

    heard(): void {
      this.#connection.#heartbeat?.heard();
    }

    ping(): void {
      this.#connection.#ping();
    }

    written(): void {
      this.#connection.#written();
    }

    peerClosed(code: CloseCode, message: string): void {
      const connection = this.#connection;
      if (connection.#state === 'open') {
        connection.#end({ code, message, remote: true });
        // Answer after what we had sent (the peer reads until our answer).
        connection.#flush();
        connection.driver.answerClose();
      } else if (connection.#state === 'closing') {
        connection.driver.answerClose();
      }
    }

    closeConfirmed(): void {
      const connection = this.#connection;
      if (connection.#state === 'closing') connection.#end(connection.#localCloseReason!);
    }

    peerAborted(code: CloseCode, message: string): void {
      this.#connection.#drop({ code, message, remote: true });
      this.#connection.driver.reset();
    }

    violation(message: string, error?: unknown): void {
      this.#connection.#violation(message, error);
    }

    ended(reason: CloseReason): void {
      const connection = this.#connection;
      connection.#finish(reason);
      connection.#inbox.end(connection.#reason ?? reason);
    }

    settle(reason: CloseReason): void {
      this.#connection.#finish(reason);
    }

    broken(reason: CloseReason): void {
      this.#connection.#drop(reason);
    }

    allocationFailed(bytes: number, error: unknown): void {
      const connection = this.#connection;
      if (connection.#state === 'closed') return;
      connection.#dropOutgoing();
      connection.#end({
        code: 'limit',
        message: `expected to allocate ${bytes} bytes for an arriving frame, but the allocation failed (${describeError(error)})`,
        remote: false,
        error,
      });
      connection.driver.sendAbort('limit', `the peer could not hold a frame of ${bytes} bytes`);
    }

    released(bytes: number): void {
      this.#connection.#released(bytes);
    }
  };

  /** What the heartbeat does on a tick, for connections that have one (same shape as {@link DrivenConnection.#Port}). */
  static readonly #HeartbeatHooks = class HeartbeatHooks implements HeartbeatPort {
    readonly #connection: DrivenConnection;

    constructor(connection: DrivenConnection) {
      this.#connection = connection;
    }

    readingPaused(): boolean {
      return this.#connection.#readingPaused;
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
      this.#connection.#end({
        code: 'timeout',
        message: `expected to hear from the peer every ${idleTimeoutMs} ms, but it went silent`,
        remote: true,
      });
      this.#connection.driver.reset();
    }
  };
}
