import type { CloseCode, CloseOptions, CloseReason } from '../close-reason.ts';
import type { Connection } from '../connection.ts';
import { ConnectionClosedError } from '../connection-closed-error.ts';
import type { FrameReceiver } from '../frame-receiver.ts';
import { FrameTooLargeError } from '../frame-too-large-error.ts';
import type { ConnectionDriver, DriverEvents } from './connection-driver.ts';
import type { ConnectionSettings } from './connection-settings.ts';
import { describeError } from './describe-error.ts';
import { DrainWaiters } from './drain-waiters.ts';
import { FrameInbox } from './frame-inbox.ts';
import { Heartbeat } from './heartbeat.ts';

/**
 * What one ping counts against `maxBufferedBytes` when it gets no pong of its own, because a pong already went out
 * this turn or our earlier output still waits in the medium (either answers the peer just as well once it reads).
 */
const owedAnswerBytes = 4;

const resolved = Promise.resolve();

function ignore(): void {}

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
  readonly #settings: ConnectionSettings;
  readonly #inbox: FrameInbox;
  readonly #drained = new DrainWaiters();
  readonly #heartbeat: Heartbeat | undefined;
  readonly #coalesce: boolean;
  #maxFrameBytes: number;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #reason: CloseReason | undefined;
  #localCloseReason: CloseReason | undefined;
  #resolveClosed!: (reason: CloseReason) => void;
  /** Frames accepted by send() this turn and not yet given to the driver (with `coalesceWrites`). */
  #outgoing: Uint8Array[] = [];
  #outgoingBytes = 0;
  #flushScheduled = false;
  /** The one-slot array that hands a frame to a driver without `coalesceWrites` (no allocation per frame). */
  readonly #single: Uint8Array[] = [];
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
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param settings addresses, limits and timeouts
   * @param createDriver builds the driver, given the events it reports to (called once, from this constructor)
   */
  constructor(settings: ConnectionSettings, createDriver: (events: DriverEvents) => Driver) {
    this.#settings = settings;
    this.localAddress = settings.localAddress;
    this.remoteAddress = settings.remoteAddress;
    this.addressesObservable = settings.addressesObservable ?? true;
    this.#maxFrameBytes = settings.maxFrameBytes;
    this.#coalesce = settings.coalesceWrites;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#inbox = new FrameInbox({
      ...(settings.scheduler === undefined ? {} : { scheduler: settings.scheduler }),
      onReleased: (bytes) => this.#released(bytes),
    });
    const driver = createDriver(this.#events());
    this.driver = driver;
    this.#heartbeat =
      settings.idleTimeoutMs > 0 && driver.sendPing !== undefined && driver.sendPong !== undefined
        ? new Heartbeat(settings.idleTimeoutMs, settings.heartbeatIntervalMs, {
            readingPaused: () => this.#readingPaused,
            ping: () => this.#sendControl(driver.sendPing!),
            pong: () => this.#sendControl(driver.sendPong!),
            silent: (idleTimeoutMs) => {
              this.#end({
                code: 'timeout',
                message: `expected to hear from the peer at least every ${idleTimeoutMs} ms, but it went silent (heartbeats unanswered)`,
                remote: true,
              });
              this.driver.reset();
            },
          })
        : undefined;
  }

  get maxFrameBytes(): number {
    return this.#maxFrameBytes;
  }

  get bufferedBytes(): number {
    return this.#outgoingBytes + this.driver.heldBytes;
  }

  setMaxFrameBytes(bytes: number): void {
    const ceiling = this.#settings.maxFrameBytes;
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > ceiling) {
      throw new RangeError(
        `expected maxFrameBytes to be a whole number from 0 to the transport's ${ceiling}, but got ${bytes}`,
      );
    }
    this.#maxFrameBytes = bytes;
    this.driver.maxFrameBytesChanged?.(bytes);
  }

  start(receiver: FrameReceiver): void {
    this.#inbox.start(receiver);
  }

  send(frame: Uint8Array): void {
    if (this.#state !== 'open') throw new ConnectionClosedError(this.#reason);
    if (frame.byteLength > this.#maxFrameBytes)
      throw new FrameTooLargeError(frame.byteLength, this.#maxFrameBytes);
    if (this.#coalesce) {
      this.#outgoing.push(frame);
      this.#outgoingBytes += frame.byteLength;
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // Everything sent in this turn goes out together, after the sender's synchronous code.
        queueMicrotask(this.#flush);
      }
      return;
    }
    const single = this.#single;
    single.push(frame);
    this.driver.writeFrames(single);
    single.pop();
    this.#framesSinceOwed = true;
    if (this.driver.heldBytes + this.#owedBytes > this.#settings.maxBufferedBytes) this.#overBudget();
  }

  whenDrained(): Promise<void> {
    if (this.#state === 'closed' || this.bufferedBytes <= this.#settings.lowWaterMarkBytes) return resolved;
    const first = !this.#drained.waiting;
    const drained = this.#drained.wait();
    if (first) this.driver.drainAwaited?.();
    return drained;
  }

  close(options: CloseOptions = {}): Promise<void> {
    if (this.#state === 'open') {
      this.#state = 'closing';
      const code = options.code ?? 'normal';
      this.#localCloseReason = {
        code,
        message: options.message ?? 'the connection was closed by the local side',
        remote: false,
      };
      // Frames sent before close() go first, then the close.
      this.#flush();
      this.driver.sendClose(code, options.message ?? 'the peer closed the connection');
      const closeTimeoutMs = this.#settings.closeTimeoutMs;
      if (closeTimeoutMs > 0 && this.#state === 'closing') {
        this.#closeTimer = setTimeout(() => {
          this.#end({
            code: 'timeout',
            message: `expected the peer to confirm the close within ${closeTimeoutMs} ms, but it did not`,
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
      message: `the connection was aborted by the local side (${described})`,
      remote: false,
      error,
    };
    this.#dropOutgoing();
    this.#finish(reason);
    this.#inbox.abort(reason);
    this.driver.sendAbort('aborted', `the peer aborted the connection (${described})`);
  }

  // ——— sending ———

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const frames = this.#outgoing;
    if (frames.length === 0) return;
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    this.#heartbeat?.sent();
    this.driver.writeFrames(frames);
    this.#framesSinceOwed = true;
    if (this.driver.heldBytes + this.#owedBytes > this.#settings.maxBufferedBytes) this.#overBudget();
  };

  #sendControl(send: () => void): void {
    this.#heartbeat?.sent();
    send.call(this.driver);
  }

  #dropOutgoing(): void {
    this.#outgoing = [];
    this.#outgoingBytes = 0;
  }

  #overBudget(): void {
    if (this.#state === 'closed') return;
    const held = this.bufferedBytes + this.#owedBytes;
    const budget = this.#settings.maxBufferedBytes;
    this.#dropOutgoing();
    this.#end({
      code: 'limit',
      message: `expected the peer to take what this side sends, but ${held} bytes waited for it, more than maxBufferedBytes (${budget})`,
      remote: false,
    });
    this.driver.sendAbort(
      'limit',
      `the peer ended the connection: more than ${budget} bytes waited for this side to read them`,
    );
  }

  // ——— receiving ———

  #frame(frame: Uint8Array): void {
    if (frame.byteLength > this.#maxFrameBytes) {
      this.#violation(
        `expected frames of at most ${this.#maxFrameBytes} bytes, but the peer sent ${frame.byteLength} bytes`,
      );
      return;
    }
    if (!this.#inbox.push(frame)) {
      // Arrived after the end: dropped, and the peer gets its credit back.
      this.driver.framesReleased?.(frame.byteLength);
      return;
    }
    if (
      !this.#readingPaused &&
      this.#inbox.bufferedBytes > this.#settings.receiveBufferBytes &&
      this.driver.pauseReading !== undefined
    ) {
      // Our receiver is behind: stop reading so the medium pushes back on the sender (the heartbeat knows).
      this.#readingPaused = true;
      this.driver.pauseReading();
    }
  }

  #released(bytes: number): void {
    this.driver.framesReleased?.(bytes);
    if (this.#readingPaused && this.#inbox.bufferedBytes <= this.#settings.receiveBufferBytes / 2) {
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
      queueMicrotask(this.#endTurn);
      this.#sendControl(this.driver.sendPong);
      return;
    }
    if (this.#owedBytes === 0) this.#framesSinceOwed = false;
    this.#owedBytes += owedAnswerBytes;
    if (this.bufferedBytes + this.#owedBytes > this.#settings.maxBufferedBytes) this.#overBudget();
  }

  readonly #endTurn = (): void => {
    this.#pongThisTurn = false;
  };

  #written(): void {
    // Our frames left the medium entirely: the owed answers go with them.
    if (this.#framesSinceOwed && this.driver.heldBytes === 0) this.#owedBytes = 0;
    if (this.bufferedBytes <= this.#settings.lowWaterMarkBytes) this.#drained.release();
  }

  #violation(message: string, error?: unknown): void {
    if (this.#state === 'closed') return;
    this.#dropOutgoing();
    // The frames that arrived intact before the violation are still delivered.
    this.#end({ code: 'protocol', message, remote: true, ...(error === undefined ? {} : { error }) });
    this.driver.sendAbort('protocol', `the peer broke the rules of the connection: ${message}`);
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
    this.#drained.release();
    this.driver.detach?.();
  }

  /** The port the driver reports through; one object per connection, made once. */
  #events(): DriverEvents {
    const self = this;
    return {
      get closing() {
        return self.#state === 'closing';
      },
      get drainAwaited() {
        return self.#drained.waiting;
      },
      frame: (frame) => this.#frame(frame),
      heard: () => this.#heartbeat?.heard(),
      ping: () => this.#ping(),
      written: () => this.#written(),
      peerClosed: (code: CloseCode, message: string) => {
        if (this.#state === 'open') {
          this.#end({ code, message, remote: true });
          // Answer after what we had sent (the peer reads until our answer).
          this.#flush();
          this.driver.answerClose();
        } else if (this.#state === 'closing') {
          this.driver.answerClose();
        }
      },
      closeConfirmed: () => {
        if (this.#state === 'closing') this.#end(this.#localCloseReason!);
      },
      peerAborted: (code: CloseCode, message: string) => {
        this.#drop({ code, message, remote: true });
        this.driver.reset();
      },
      violation: (message, error) => this.#violation(message, error),
      ended: (reason) => {
        this.#finish(reason);
        this.#inbox.end(this.#reason ?? reason);
      },
      settle: (reason) => this.#finish(reason),
      broken: (reason) => this.#drop(reason),
      allocationFailed: (bytes, error) => {
        if (this.#state === 'closed') return;
        this.#dropOutgoing();
        this.#end({
          code: 'limit',
          message: `expected to allocate ${bytes} bytes for an arriving frame, but the allocation failed (${describeError(error)})`,
          remote: false,
          error,
        });
        this.driver.sendAbort('limit', `the peer could not hold a frame of ${bytes} bytes`);
      },
    };
  }
}
