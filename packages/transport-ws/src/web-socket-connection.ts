import {
  type CloseOptions,
  type CloseReason,
  type Connection,
  ConnectionClosedError,
  DrainWaiters,
  FrameInbox,
  type FrameReceiver,
  FrameTooLargeError,
} from '@msc/transport';
import { closeMessage, codeForStatus, statusFor } from './close-codes.ts';
import { describeError } from './describe-error.ts';
import type { WebSocketSettings } from './web-socket-options.ts';

/**
 * What a {@link WebSocketConnection} needs from a WebSocket, whichever library provides it. The Node driver wraps
 * `ws`; the browser driver wraps the native `WebSocket` (no ping, no terminate, no pause, no write callbacks).
 */
export interface WebSocketDriver {
  /** Sends one binary message. */
  send(frame: Uint8Array): void;
  /** Sends one text message (heartbeats of peers that cannot ping). */
  sendText(text: string): void;
  /** Starts the closing handshake. */
  close(status: number, reason: string): void;
  /** Ends the connection at once, without a closing handshake where the platform allows it. */
  terminate(): void;
  /** Sends a WebSocket ping; returns false when the platform cannot (browsers). */
  ping(): boolean;
  /** Sends an unprompted WebSocket pong (a sign of life); returns false when the platform cannot. */
  pong(): boolean;
  /** Bytes queued and not yet handed to the operating system. */
  readonly bufferedAmount: number;
  /** Holds writes until `uncork()`, so one turn's messages leave in one system call (Node only). */
  cork?(): void;
  uncork?(): void;
  /** Stops and resumes reading (Node only): a slow receiver pushes back on the sender. */
  pause?(): void;
  resume?(): void;
  /** Calls `listener` when queued bytes were written; absent where the platform has no such signal (browsers). */
  onWritten?(listener: () => void): void;
}

/** The text messages of the heartbeat protocol; frames are always binary messages. */
export const pingText = 'msc:ping';
/** See {@link pingText}. */
export const pongText = 'msc:pong';

const resolved = Promise.resolve();

function ignore(): void {}

/**
 * One framed connection over a WebSocket: one binary message is one frame. It buffers frames until `start()`,
 * corks the socket for the rest of the turn when sending (Node), keeps the connection alive with pings (or
 * `msc:ping` text messages) and turns the WebSocket's ending into exactly one {@link CloseReason}.
 *
 * The driver reports events through the `on…` methods; they must be wired before any event can fire.
 */
export class WebSocketConnection implements Connection {
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly addressesObservable: boolean;
  readonly maxFrameBytes: number;
  readonly closed: Promise<CloseReason>;
  readonly #driver: WebSocketDriver;
  readonly #settings: WebSocketSettings;
  readonly #inbox: FrameInbox;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #reason: CloseReason | undefined;
  #localCloseReason: CloseReason | undefined;
  #resolveClosed!: (reason: CloseReason) => void;
  /** Frames accepted by send() in this turn and not yet given to the WebSocket, with their payload size. */
  #outgoing: Uint8Array[] = [];
  #outgoingBytes = 0;
  #flushScheduled = false;
  readonly #drained = new DrainWaiters();
  #drainPoll: ReturnType<typeof setTimeout> | undefined;
  #lastError: unknown;
  #readingPaused = false;
  #receivedSinceTick = false;
  #lastReceivedAt = Date.now();
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param driver the open WebSocket, owned by the connection from now on
   * @param settings the transport's settings
   * @param addresses this side's and the peer's address; `observable: false` when they are not the
   *   socket's real endpoints (a browser cannot see its own)
   */
  constructor(
    driver: WebSocketDriver,
    settings: WebSocketSettings,
    addresses: { local: string; remote: string; observable?: boolean },
  ) {
    this.#driver = driver;
    this.#settings = settings;
    this.maxFrameBytes = settings.maxFrameBytes;
    this.localAddress = addresses.local;
    this.remoteAddress = addresses.remote;
    this.addressesObservable = addresses.observable ?? true;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#inbox = new FrameInbox({
      ...(settings.scheduler === undefined ? {} : { scheduler: settings.scheduler }),
      onReleased: () => this.#maybeResumeReading(),
    });
    driver.onWritten?.(() => this.#checkDrained());
    if (settings.idleTimeoutMs > 0) {
      this.#heartbeatTimer = setInterval(() => this.#heartbeat(), settings.heartbeatIntervalMs);
      // The socket keeps a Node event loop alive while open; the heartbeat timer must not on its own.
      (this.#heartbeatTimer as { unref?: () => void }).unref?.();
    }
  }

  get bufferedBytes(): number {
    return this.#state === 'closed' ? 0 : this.#outgoingBytes + this.#driver.bufferedAmount;
  }

  start(receiver: FrameReceiver): void {
    this.#inbox.start(receiver);
  }

  send(frame: Uint8Array): void {
    if (this.#state !== 'open') throw new ConnectionClosedError(this.#reason);
    if (frame.byteLength > this.maxFrameBytes)
      throw new FrameTooLargeError(frame.byteLength, this.maxFrameBytes);
    this.#outgoing.push(frame);
    this.#outgoingBytes += frame.byteLength;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // Everything sent in this turn goes out together, after the sender's synchronous code.
      queueMicrotask(this.#flush);
    }
  }

  whenDrained(): Promise<void> {
    if (this.#state === 'closed' || this.bufferedBytes <= this.#settings.lowWaterMarkBytes) return resolved;
    const first = !this.#drained.waiting;
    const drained = this.#drained.wait();
    // Without write callbacks (browsers) the only way to see bufferedAmount fall is to look again.
    if (first && this.#driver.onWritten === undefined) this.#pollDrain();
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
      this.#flush();
      // The close frame follows every message sent so far; the peer answers after its own last message.
      this.#driver.close(statusFor(code), closeMessage(options.message ?? 'the peer closed the connection'));
      this.#closeTimer = setTimeout(() => {
        this.#end({
          code: 'timeout',
          message: `expected the peer to answer the close within ${this.#settings.closeTimeoutMs} ms, but it did not`,
          remote: false,
        });
        this.#driver.terminate();
      }, this.#settings.closeTimeoutMs);
    }
    return this.closed.then(ignore);
  }

  abort(error?: unknown): void {
    if (this.#state === 'closed') return;
    const reason: CloseReason = {
      code: 'aborted',
      message: `the connection was aborted by the local side (${describeError(error)})`,
      remote: false,
      error,
    };
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    this.#finish(reason);
    this.#inbox.abort(reason);
    this.#goAway(statusFor('aborted'), `the peer aborted the connection (${describeError(error)})`);
  }

  // ——— events from the driver ———

  /** A message arrived: binary is a frame, text is a heartbeat. */
  onMessage(data: Uint8Array | string): void {
    this.#receivedSinceTick = true;
    this.#lastReceivedAt = Date.now();
    if (this.#state === 'closed') return;
    if (typeof data === 'string') {
      if (data === pingText) this.#driver.sendText(pongText);
      else if (data !== pongText)
        this.#protocolViolation(`expected a binary frame or a heartbeat, but got a text message`);
      return;
    }
    if (data.byteLength > this.maxFrameBytes) {
      this.#protocolViolation(
        `expected frames of at most ${this.maxFrameBytes} bytes, but got ${data.byteLength} bytes`,
      );
      return;
    }
    this.#inbox.push(data);
    if (
      !this.#readingPaused &&
      this.#driver.pause !== undefined &&
      this.#inbox.bufferedBytes > this.#settings.receiveBufferBytes
    ) {
      // Our receiver is behind: stop reading so the socket pushes back on the sender.
      this.#readingPaused = true;
      this.#driver.pause();
    }
  }

  /** A ping or pong arrived: the peer is alive. */
  onHeartbeat(): void {
    this.#receivedSinceTick = true;
    this.#lastReceivedAt = Date.now();
  }

  /** The socket failed; a close event follows. */
  onError(error: unknown): void {
    this.#lastError ??= error;
  }

  /** The WebSocket closed (after the closing handshake, or abruptly with status 1006). */
  onClose(status: number, reason: string): void {
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#closeTimer);
    clearTimeout(this.#drainPoll);
    if (
      this.#state === 'closing' &&
      (status === 1000 || status === 1005 || status === statusFor(this.#localCloseReason!.code))
    ) {
      this.#end(this.#localCloseReason!);
      return;
    }
    const error = this.#lastError;
    // ws reports a peer that broke the WebSocket protocol (an oversized message, a bad opcode…) with a WS_ERR_ code.
    const brokeProtocol = String((error as { code?: unknown } | undefined)?.code ?? '').startsWith('WS_ERR_');
    const code = brokeProtocol ? 'protocol' : codeForStatus(status);
    this.#end({
      code,
      message:
        reason !== ''
          ? reason
          : status === 1006
            ? `the connection was lost without a close frame${error === undefined ? '' : ` (${describeError(error)})`}`
            : `the peer closed the connection with status ${status}`,
      remote: true,
      ...(error === undefined ? {} : { error }),
    });
  }

  // ——— internals ———

  /** Sends the frames queued this turn, corked (on Node) so they leave in one socket write. */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const frames = this.#outgoing;
    if (frames.length === 0) return;
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    const driver = this.#driver;
    driver.cork?.();
    for (const frame of frames) driver.send(frame);
    driver.uncork?.();
  };

  #checkDrained(): void {
    if (this.bufferedBytes <= this.#settings.lowWaterMarkBytes) this.#drained.release();
  }

  #pollDrain(): void {
    this.#drainPoll = setTimeout(() => {
      this.#checkDrained();
      if (this.#drained.waiting) this.#pollDrain();
    }, 10);
  }

  #maybeResumeReading(): void {
    if (this.#readingPaused && this.#inbox.bufferedBytes <= this.#settings.receiveBufferBytes / 2) {
      this.#readingPaused = false;
      this.#lastReceivedAt = Date.now();
      this.#driver.resume?.();
    }
  }

  /**
   * Runs every `heartbeatIntervalMs`: times out a silent peer, and pings one we have not heard from since the last
   * tick (a WebSocket ping, or a `msc:ping` text message where pings cannot be sent).
   */
  #heartbeat(): void {
    if (this.#state !== 'open') return;
    const now = Date.now();
    if (this.#readingPaused) {
      // Not reading is our receiver's doing: do not count it, and tell the peer we are alive.
      this.#lastReceivedAt = now;
      this.#driver.pong();
    } else if (now - this.#lastReceivedAt >= this.#settings.idleTimeoutMs) {
      this.#end({
        code: 'timeout',
        message: `expected to hear from the peer at least every ${this.#settings.idleTimeoutMs} ms, but it went silent (pings unanswered)`,
        remote: true,
      });
      this.#driver.terminate();
      return;
    } else if (!this.#receivedSinceTick) {
      if (!this.#driver.ping()) this.#driver.sendText(pingText);
    }
    this.#receivedSinceTick = false;
  }

  #protocolViolation(message: string): void {
    if (this.#state === 'closed') return;
    this.#end({ code: 'protocol', message, remote: true });
    this.#goAway(statusFor('protocol'), `the peer broke the framing rules: ${message}`);
  }

  /**
   * Leaves without waiting: a close frame with `status` when little is queued (the peer learns why), else at once
   * (a queue of megabytes must not delay an abort). The closing handshake finishes, or times out, in the background.
   */
  #goAway(status: number, message: string): void {
    if (this.#driver.bufferedAmount <= this.#settings.lowWaterMarkBytes) {
      this.#driver.close(status, closeMessage(message));
      const linger = setTimeout(() => this.#driver.terminate(), this.#settings.closeTimeoutMs);
      (linger as { unref?: () => void }).unref?.();
    } else {
      this.#driver.terminate();
    }
  }

  #end(reason: CloseReason): void {
    if (this.#state === 'closed') return;
    this.#finish(reason);
    this.#inbox.end(reason);
  }

  #finish(reason: CloseReason): void {
    if (this.#reason !== undefined) return;
    this.#state = 'closed';
    this.#reason = reason;
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#closeTimer);
    this.#resolveClosed(reason);
    this.#drained.release();
  }
}
