import type { CloseCode } from '@msc/transport';
import { type ConnectionDriver, type CoreDriverEvents, DrivenConnectionCore } from '@msc/transport/kit';
import { closeMessage, statusFor, webSocketEnding } from './close-codes.ts';
import { pingText, pongText } from './heartbeat-text.ts';
import type { WebSocketSettings } from './web-socket-options.ts';

// Why a browser connection beside WebSocketConnection: the native WebSocket has no ping, pong, pause, cork, write
// callback or terminate, so the Node paths for them (and ws's error codes) would only weigh on every page. The
// lifecycle stays the kit's, in its core (DrivenConnectionCore: the platform closes by itself, never pauses and
// sends whole messages, so the in-band close, pausing and credit paths of DrivenConnection stay out of the page);
// only the medium and the event handling are written for browsers.

/** How often `bufferedAmount` is looked at while someone waits for a drain (browsers have no write callback), in ms. */
const drainPollMs = 10;

/**
 * The kit's driver over the native `WebSocket`: one binary message is one frame; heartbeats are `msc:ping` and
 * `msc:pong` text messages (a page cannot send WebSocket pings, and answers the server's by itself); reading
 * never pauses (the platform cannot), so a slow page cannot push back on its server.
 */
class BrowserWebSocketMedium implements ConnectionDriver {
  readonly #socket: WebSocket;
  readonly #events: CoreDriverEvents;
  /** Frames come from the WebSocket's message events, each a task of its own. */
  readonly framesArriveInOwnTask = true;
  #drainPoll: ReturnType<typeof setTimeout> | undefined;
  #detached = false;
  /** The status of the close frame our graceful close sent, once it did. */
  sentCloseStatus: number | undefined;

  constructor(socket: WebSocket, events: CoreDriverEvents) {
    this.#socket = socket;
    this.#events = events;
  }

  get heldBytes(): number {
    return this.#detached ? 0 : this.#socket.bufferedAmount;
  }

  writeFrames(frames: readonly Uint8Array[]): void {
    // A frame over a SharedArrayBuffer cannot be sent; send() owns the frame, so the view is passed as is.
    for (const frame of frames) this.#socket.send(frame as Uint8Array<ArrayBuffer>);
  }

  sendClose(code: CloseCode, message: string): void {
    // The close frame follows every message sent so far; the peer answers after its own last message.
    this.sentCloseStatus = statusFor(code);
    this.#socket.close(this.sentCloseStatus, closeMessage(message));
  }

  answerClose(): void {
    // The browser answers a close frame itself.
  }

  /** A browser cannot drop a socket without a closing handshake: the close frame tells the peer why. */
  sendAbort(code: CloseCode, message: string): void {
    this.#socket.close(statusFor(code), closeMessage(message));
  }

  reset(): void {
    this.#socket.close(4001, 'terminated');
  }

  sendPing(): void {
    this.#socket.send(pingText);
  }

  sendPong(): void {
    this.#socket.send(pongText);
  }

  drainAwaited(): void {
    // Without write callbacks the only way to see bufferedAmount fall is to look again.
    this.#drainPoll = setTimeout(() => {
      this.#events.written();
      if (this.#events.drainAwaited) this.drainAwaited();
    }, drainPollMs);
  }

  detach(): void {
    this.#detached = true;
    clearTimeout(this.#drainPoll);
  }
}

/**
 * One framed connection over a page's native `WebSocket`, open and with `binaryType` `arraybuffer`: the kit's
 * lifecycle over {@link BrowserWebSocketMedium}. The dial forwards the socket's `message`, `error` and `close`
 * events to the `on…` methods from the moment the connection exists.
 */
export class BrowserWebSocketConnection extends DrivenConnectionCore<BrowserWebSocketMedium> {
  readonly #events: CoreDriverEvents;
  #lastError: unknown;

  /**
   * @param socket the open WebSocket, owned by the connection from now on
   * @param settings the transport's settings
   * @param local this side's address (a page cannot see its own socket's, so addresses are not observable)
   * @param remote the address dialled
   */
  constructor(socket: WebSocket, settings: WebSocketSettings, local: string, remote: string) {
    let reported!: CoreDriverEvents;
    super(
      {
        ...settings,
        localAddress: local,
        remoteAddress: remote,
        addressesObservable: false,
      },
      (events) => {
        reported = events;
        return new BrowserWebSocketMedium(socket, events);
      },
    );
    this.#events = reported;
  }

  /** A message arrived: binary is a frame, text is a heartbeat. */
  onMessage(data: ArrayBuffer | string): void {
    const events = this.#events;
    events.heard();
    if (typeof data !== 'string') events.frame(new Uint8Array(data));
    else if (data === pingText) events.ping();
    else if (data !== pongText)
      events.violation('expected a binary frame or a heartbeat, but got a text message');
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
    events.ended(webSocketEnding(status, reason, this.#lastError, false));
  }
}
