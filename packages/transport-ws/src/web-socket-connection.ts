import type { CloseCode } from '@msc/transport';
import {
  type ConnectionDriver,
  DrivenConnection,
  type DriverEvents,
  defaultReceiveBufferBytes,
} from '@msc/transport/kit';
import { closeMessage, statusFor, webSocketEnding } from './close-codes.ts';
import { pingText, pongText } from './heartbeat-text.ts';
import type { WebSocketSettings } from './web-socket-options.ts';

/**
 * What a {@link WebSocketConnection} needs from a WebSocket, whichever library provides it (the Node driver wraps
 * `ws`). Pages use BrowserWebSocketConnection over the native `WebSocket` instead, without these Node paths.
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
  /**
   * Ends our side of the underlying socket (a TCP FIN) once what is queued is written, without waiting for the
   * peer's close frame (Node only).
   */
  end?(): void;
  /** Sends a WebSocket ping; returns false when the platform cannot (browsers). */
  ping(): boolean;
  /**
   * Sends a WebSocket pong (an answer, carrying the ping's `data`, or an unprompted sign of life); returns false when
   * the platform cannot.
   */
  pong(data?: Uint8Array): boolean;
  /** Bytes queued and not yet handed to the operating system, control frames included. */
  readonly bufferedAmount: number;
  /** Holds writes until `uncork()`, so one turn's messages leave in one system call (Node only). */
  cork?(): void;
  uncork?(): void;
  /** Stops and resumes reading (Node only): a slow receiver pushes back on the sender. */
  pause?(): void;
  resume?(): void;
  /** Calls `listener` when queued bytes were written (what a drain waits for). */
  onWritten(listener: () => void): void;
}

/**
 * The kit's driver over a {@link WebSocketDriver}: one binary message is one frame, heartbeats are WebSocket pings
 * and pongs (or `msc:ping`/`msc:pong` text messages where a platform cannot send them).
 */
class WebSocketMedium implements ConnectionDriver {
  readonly #platform: WebSocketDriver;
  readonly #settings: WebSocketSettings;
  /** Frames come from the WebSocket's message events, each a task of its own. */
  readonly framesArriveInOwnTask = true;
  #detached = false;
  /** The status of the close frame our graceful close sent, once it did. */
  sentCloseStatus: number | undefined;
  /**
   * Whether the peer pings with `msc:ping` text messages (a browser): it cannot see WebSocket pongs, so it gets
   * `msc:pong` text messages instead.
   */
  peerPingsInText = false;
  /** The application data of the latest WebSocket ping not answered yet: its pong must echo it (RFC 6455 §5.5.3). */
  pingData: Uint8Array | undefined;

  constructor(platform: WebSocketDriver, settings: WebSocketSettings, events: DriverEvents) {
    this.#platform = platform;
    this.#settings = settings;
    platform.onWritten(() => events.written());
  }

  get heldBytes(): number {
    return this.#detached ? 0 : this.#platform.bufferedAmount;
  }

  /** Sends the frames queued this turn, corked (on Node) so they leave in one socket write. */
  writeFrames(frames: readonly Uint8Array[]): void {
    const platform = this.#platform;
    platform.cork?.();
    for (const frame of frames) platform.send(frame);
    platform.uncork?.();
  }

  sendClose(code: CloseCode, message: string): void {
    // The close frame follows every message sent so far; the peer answers after its own last message.
    this.sentCloseStatus = statusFor(code);
    this.#platform.close(this.sentCloseStatus, closeMessage(message));
  }

  answerClose(): void {
    // The WebSocket library answers a close frame itself.
  }

  /**
   * Leaves without waiting: a close frame with the code's status when little is queued (the peer learns why), else
   * at once. After the close frame our side of the socket ends too (on Node), as over TCP: a peer that never answers
   * the close frame (a handshake flood refused at `maxPendingSessions`) sees the connection end at once instead of
   * holding it for `closeTimeoutMs`; the socket itself goes when the peer closes its side, or at that timeout.
   */
  sendAbort(code: CloseCode, message: string): void {
    const platform = this.#platform;
    if (platform.bufferedAmount <= this.#settings.lowWaterMarkBytes) {
      platform.close(statusFor(code), closeMessage(message));
      platform.end?.();
      const linger = setTimeout(() => platform.terminate(), this.#settings.closeTimeoutMs);
      (linger as { unref?: () => void }).unref?.();
    } else {
      platform.terminate();
    }
  }

  reset(): void {
    this.#platform.terminate();
  }

  pauseReading(): void {
    this.#platform.pause?.();
  }

  resumeReading(): void {
    this.#platform.resume?.();
  }

  sendPing(): void {
    if (!this.#platform.ping()) this.#platform.sendText(pingText);
  }

  /** Answers the latest ping (RFC 6455 lets one pong answer every ping before it), or says we are alive. */
  sendPong(): void {
    const data = this.pingData;
    this.pingData = undefined;
    if (this.peerPingsInText || !this.#platform.pong(data)) this.#platform.sendText(pongText);
  }

  detach(): void {
    this.#detached = true;
  }
}

/**
 * One framed connection over a WebSocket: the kit's lifecycle over a {@link WebSocketDriver}. It corks the socket
 * for the rest of the turn when sending (Node), keeps the connection alive with pings (or `msc:ping` text
 * messages) and turns the WebSocket's ending into exactly one close reason.
 *
 * The platform reports events through the `on…` methods; they must be wired before any event can fire.
 */
export class WebSocketConnection extends DrivenConnection<WebSocketMedium> {
  readonly #events: DriverEvents;
  #lastError: unknown;

  /**
   * @param platform the open WebSocket, owned by the connection from now on
   * @param settings the transport's settings
   * @param addresses this side's and the peer's address, the socket's real endpoints
   */
  constructor(
    platform: WebSocketDriver,
    settings: WebSocketSettings,
    addresses: { local: string; remote: string },
  ) {
    let reported!: DriverEvents;
    super(
      {
        ...settings,
        localAddress: addresses.local,
        remoteAddress: addresses.remote,
        // A platform that cannot pause (browsers) cannot push back: it never tries.
        receiveBufferBytes:
          platform.pause === undefined ? Number.POSITIVE_INFINITY : defaultReceiveBufferBytes,
        coalesceWrites: true,
      },
      (events) => {
        reported = events;
        return new WebSocketMedium(platform, settings, events);
      },
    );
    this.#events = reported;
  }

  /** A message arrived: binary is a frame, text is a heartbeat. */
  onMessage(data: Uint8Array | string): void {
    const events = this.#events;
    events.heard();
    if (typeof data !== 'string') {
      events.frame(data);
    } else if (data === pingText) {
      this.driver.peerPingsInText = true;
      events.ping();
    } else if (data !== pongText) {
      events.violation('expected a binary frame or a heartbeat, but got a text message');
    }
  }

  /** The peer sent a WebSocket ping with `data` (at most 125 bytes): it is alive, and asks us to answer. */
  onPing(data?: Uint8Array): void {
    this.driver.pingData = data;
    this.#events.heard();
    this.#events.ping();
  }

  /** A pong arrived (or a ping the platform answered itself): the peer is alive. */
  onHeartbeat(): void {
    this.#events.heard();
  }

  /** A message too large to hold arrived (the platform could not allocate it): ends this connection with `limit`. */
  onAllocationFailed(bytes: number, error: unknown): void {
    this.#events.allocationFailed(bytes, error);
  }

  /** The socket failed; a close event follows. */
  onError(error: unknown): void {
    this.#lastError ??= error;
  }

  /** The WebSocket closed (after the closing handshake, or abruptly with status 1006). */
  onClose(status: number, reason: string): void {
    const events = this.#events;
    if (events.closing && (status === 1000 || status === 1005 || status === this.driver.sentCloseStatus)) {
      events.closeConfirmed();
      return;
    }
    const error = this.#lastError;
    // ws reports a peer that broke the WebSocket protocol (an oversized message, a bad opcode…) with a WS_ERR_ code.
    const brokeProtocol = String((error as { code?: unknown } | undefined)?.code ?? '').startsWith('WS_ERR_');
    events.ended(webSocketEnding(status, reason, error, brokeProtocol));
  }
}
