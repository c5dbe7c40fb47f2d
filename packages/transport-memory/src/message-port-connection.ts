import type { CloseCode, Connection } from '@msc/transport';
import {
  type ConnectionDriver,
  type ConnectionOptions,
  DrivenConnection,
  type DriverEvents,
  type InBandControlKind,
  macrotask,
  messageConnectionSettings,
  receiveInBandControl,
  ValuesFrame,
} from '@msc/transport/kit';
import type { MessagePortLike } from './message-port-like.ts';
import { frameString, stringFrame, stringFrameBytes } from './string-frames.ts';

/**
 * Options of {@link messagePortConnection}: the kit's connection options. Addresses default to
 * `message-port:local#<n>` and `message-port:remote#<n>`; both sides should agree on `maxFrameBytes`.
 */
export interface MessagePortConnectionOptions extends ConnectionOptions {
  /**
   * Whether the other end runs in another thread, so that a frame posted early lets it start while
   * this side goes on (`Connection.sendEarly`; a session then posts a turn's first message at once).
   * Default `true` for {@link messagePortConnection}, whose other end is meant for another thread;
   * `false` for {@link messagePortPair} and `messagePortTransport()`, whose two ends start in this
   * thread, where an early frame is only one more `postMessage`.
   */
  sendEarly?: boolean | undefined;
}

/**
 * What travels on the port besides frames (bare `Uint8Array`s, or small frames as strings, see
 * {@link stringFrameBytes}): the kit's in-band lifecycle messages (see {@link InBandControlKind}; an `abort` is
 * followed by the port closing), `ack`: the receiver delivered `bytes` more bytes to its receiver, so the sender's
 * `bufferedBytes` falls by that (with `strings`, the first one, of 0 bytes, says the receiver takes string frames),
 * and `values`: a values frame (`Connection.sendValues`), the structured clone of `values` with the sender's size
 * estimate `bytes`.
 */
type Control =
  | { readonly msc: InBandControlKind; readonly code?: CloseCode; readonly message?: string }
  | { readonly msc: 'ack'; readonly bytes: number; readonly strings?: true }
  | { readonly msc: 'values'; readonly bytes: number; readonly values: unknown };

let connections = 0;

/** How long a small acknowledgement may wait to be combined with later ones, in milliseconds. */
const lazyAcknowledgementMs = 20;

/**
 * The budget of one event-loop turn on a Node port: at most this many messages, and no more than
 * {@link millisecondsPerTurn} of work on them. Node hands a port the messages queued for it a thousand
 * or more at a time, however many a sender on another thread posted meanwhile, without the event loop
 * getting a turn in between: a worker SIP posting 20,000 values frames of 16 calls without waiting
 * stalled every other socket and timer of its parent for seconds. Past the budget the connection stops
 * listening to the port until the next turn (the messages stay queued in the port, in order).
 */
export const messagesPerTurn = 1024;
/** See {@link messagesPerTurn}. */
export const millisecondsPerTurn = 10;

/** The transfer list of a message that moves no memory. */
const noTransfer: ArrayBuffer[] = [];

/** After this many messages without a turn's end found, the connection looks for it (see `#attach`). */
const burstMessages = 32;

/**
 * What a value the peer sent is, for a violation's message, without calling anything on it: a
 * cloned object may carry its own `toString` or `valueOf` (a number, say), which `String()` would
 * call or throw on, and a string may be as long as the peer liked.
 */
function describeReceived(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'string':
      return value.length <= 40
        ? JSON.stringify(value)
        : `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)`;
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** What a view that is not a frame is, for a violation's message. */
function describeView(view: ArrayBufferView): string {
  const type = Object.prototype.toString.call(view).slice(8, -1);
  const buffer = Object.prototype.toString.call(view.buffer).slice(8, -1);
  return `a ${type} of ${view.byteLength} bytes at offset ${view.byteOffset} of ${buffer === 'ArrayBuffer' ? 'an' : 'a'} ${buffer} of ${view.buffer.byteLength}`;
}

function isControl(value: unknown): value is Control {
  return typeof value === 'object' && value !== null && typeof (value as { msc?: unknown }).msc === 'string';
}

/**
 * The MessagePort medium of a connection: frames are transferred `Uint8Array`s (or strings when small, see
 * {@link stringFrameBytes}), everything else a {@link Control}
 * message; flow control is the receiver's `ack`s of delivered bytes.
 */
class MessagePortMedium implements ConnectionDriver {
  readonly #port: MessagePortLike;
  readonly #events: DriverEvents;
  readonly #lowWaterMarkBytes: number;
  /** Frames come from the port's message events, each a task of its own. */
  readonly framesArriveInOwnTask = true;
  /** Bytes sent and not yet acknowledged as delivered by the peer: this side's `bufferedBytes`. */
  #unacknowledgedBytes = 0;
  /** Bytes delivered to our receiver that the peer has not been told about yet. */
  #bytesToAcknowledge = 0;
  #acknowledgementScheduled = false;
  #lazyAcknowledgement: ReturnType<typeof setTimeout> | undefined = undefined;
  #portClosed = false;
  /** Whether our graceful close went out (its answer then closes the port). */
  #closeSent = false;
  /** Whether the peer said it takes small frames as strings (its first `ack`): see {@link stringFrameBytes}. */
  #peerTakesStrings = false;
  readonly #detachPort: () => void;
  /** The task that sends the `ack`, made by the first delivery to acknowledge. */
  #acknowledgementTask: (() => void) | undefined = undefined;

  constructor(port: MessagePortLike, lowWaterMarkBytes: number, events: DriverEvents) {
    this.#port = port;
    this.#lowWaterMarkBytes = lowWaterMarkBytes;
    this.#events = events;
    this.#detachPort = this.#attach();
    // Says we take string frames; an older peer reads an acknowledgement of nothing and ignores the rest.
    this.#post({ msc: 'ack', bytes: 0, strings: true });
  }

  /**
   * Subscribes to the port at once, so frames that arrive before `start()` are buffered in the inbox (and the
   * close handshake is answered even if the receiver never starts). Returns the unsubscriber.
   */
  #attach(): () => void {
    const port = this.#port;
    if (typeof port.on === 'function' && typeof port.off === 'function') {
      // A Node port stops delivering (and keeps what comes queued, in order) while it has no 'message'
      // listener, and says 'close' only after the messages queued before: the turn budget pauses it so.
      //
      // Finding where a turn ends takes a macrotask, and a port that gets one message per turn (a call's
      // answer) must not pay one per message: the count runs across turns until a burst shows
      // (`burstMessages` messages since the last end found); only then is this turn's end looked for
      // (a macrotask per `burstMessages` messages at most) and the time budget started. So a turn runs at
      // most `burstMessages` messages plus `millisecondsPerTurn` of work, or `messagesPerTurn` messages.
      let burstStartedAt = 0;
      let handledInWindow = 0;
      let paused = false;
      let detached = false;
      const resume = () => {
        paused = false;
        handledInWindow = 0;
        if (!detached) port.on?.('message', onMessage);
      };
      const onMessage = (value: unknown) => {
        handledInWindow++;
        this.#onMessage(value);
        if (paused || handledInWindow < burstMessages) return;
        if (handledInWindow === burstMessages) {
          burstStartedAt = performance.now();
          macrotask(endWindow);
        } else if (
          handledInWindow >= messagesPerTurn ||
          performance.now() - burstStartedAt >= millisecondsPerTurn
        ) {
          paused = true;
          port.off?.('message', onMessage);
          macrotask(resume);
        }
      };
      const endWindow = () => {
        if (!paused) handledInWindow = 0;
      };
      const onMessageError = (error: unknown) => this.#onMessageError(error);
      const onClose = () => this.#onPortClosed();
      port.on('message', onMessage);
      port.on('messageerror', onMessageError);
      port.on('close', onClose);
      return () => {
        detached = true;
        port.off?.('message', onMessage);
        port.off?.('messageerror', onMessageError);
        port.off?.('close', onClose);
      };
    }
    const onMessage = (event: { data: unknown }) => this.#onMessage(event.data);
    const onMessageError = (event: unknown) => this.#onMessageError(event);
    const onClose = () => this.#onPortClosed();
    port.addEventListener?.('message', onMessage);
    port.addEventListener?.('messageerror', onMessageError);
    port.addEventListener?.('close', onClose); // fires only where the platform supports it
    port.start?.();
    return () => {
      port.removeEventListener?.('message', onMessage);
      port.removeEventListener?.('messageerror', onMessageError);
      port.removeEventListener?.('close', onClose);
    };
  }

  get heldBytes(): number {
    return this.#unacknowledgedBytes;
  }

  writeFrames(frames: readonly (Uint8Array | ValuesFrame)[]): void {
    for (const frame of frames) {
      if (frame instanceof ValuesFrame) {
        // Posted before counting: a value the clone refuses throws here, and nothing was sent.
        this.#port.postMessage(
          { msc: 'values', bytes: frame.byteLength, values: frame.values },
          frame.transfer,
        );
        this.#unacknowledgedBytes += frame.byteLength;
        continue;
      }
      // `length`, not `byteLength` (an inline-cache call on Node 20: see the kit's frameSize).
      const size = frame.length;
      this.#unacknowledgedBytes += size;
      if (size <= stringFrameBytes && this.#peerTakesStrings) {
        this.#port.postMessage(frameString(frame), noTransfer);
        continue;
      }
      const buffer = frame.buffer;
      // Transfer (move) the memory when the frame owns its whole buffer; otherwise copy just the frame's bytes (a
      // view into a larger or shared buffer must not take the rest with it), and move the copy.
      if (buffer instanceof ArrayBuffer && frame.byteOffset === 0 && size === buffer.byteLength) {
        try {
          this.#port.postMessage(frame, [buffer]);
          continue;
        } catch {
          // Some buffers cannot be transferred (Node marks its pooled buffers untransferable): copy instead.
        }
      }
      // Copy by hand: `Buffer#slice` (Node's Uint8Array subclass) returns a view, not a copy, and
      // transferring its buffer would detach memory the sender still uses.
      const copy = new Uint8Array(size);
      copy.set(frame);
      this.#port.postMessage(copy, [copy.buffer]);
    }
  }

  sendClose(code: CloseCode, message: string): void {
    this.#closeSent = true;
    this.#post({ msc: 'close', code, message });
  }

  answerClose(): void {
    // The closer closes the port once it has this answer; it comes after everything we sent.
    this.#post({ msc: 'close-reply' });
  }

  sendAbort(_code: CloseCode, message: string): void {
    // Messages posted before close() still reach the peer, so it learns this was an abort, not a crash.
    this.#post({ msc: 'abort', message });
    this.#closePort();
  }

  reset(): void {
    this.#closePort();
  }

  framesReleased(bytes: number): void {
    this.#acknowledge(bytes);
  }

  #onMessage(data: unknown): void {
    if (typeof data === 'string') {
      const frame = stringFrame(data);
      if (typeof frame === 'string') this.#events.violation(frame);
      else this.#events.frame(frame);
      return;
    }
    if (ArrayBuffer.isView(data)) {
      // A frame is a Uint8Array over the whole of an ArrayBuffer of its own, as `#writeFrames` posts it. A
      // view over shared memory would let the peer change bytes after they were checked (and reach user code
      // as views into that memory); a view into part of a larger buffer would keep memory nobody counted.
      if (
        data instanceof Uint8Array &&
        data.buffer instanceof ArrayBuffer &&
        data.byteOffset === 0 &&
        data.length === data.buffer.byteLength
      ) {
        this.#events.frame(data);
      } else {
        this.#events.violation(
          `expected a frame as a Uint8Array over an ArrayBuffer of its own, but got ${describeView(data)}`,
        );
      }
      return;
    }
    if (!isControl(data)) {
      this.#events.violation(`expected a Uint8Array frame or a control message, but got ${typeof data}`);
      return;
    }
    if (data.msc === 'values') {
      const { bytes, values } = data as { bytes?: unknown; values?: unknown };
      // The lifecycle checks the size against `maxFrameBytes`, the receiver the values.
      if (typeof bytes === 'number' && bytes >= 0) this.#events.frame(new ValuesFrame(values, bytes, []));
      else
        this.#events.violation(`expected a values frame with its size, but got ${describeReceived(bytes)}`);
      return;
    }
    if (data.msc === 'ack') {
      const bytes = (data as { bytes?: unknown }).bytes;
      if (typeof bytes !== 'number' || !(bytes >= 0 && bytes <= this.#unacknowledgedBytes)) {
        this.#events.violation(
          `expected an acknowledgement of at most the ${this.#unacknowledgedBytes} bytes sent, but got ${describeReceived(bytes)}`,
        );
        return;
      }
      if ((data as { strings?: unknown }).strings === true) this.#peerTakesStrings = true;
      this.#unacknowledgedBytes -= bytes;
      this.#events.written();
      return;
    }
    const { code, message } = data as { code?: unknown; message?: unknown };
    if (!receiveInBandControl(this.#events, data.msc, code, message)) {
      this.#events.violation(`expected a known control message, but got ${describeReceived(data.msc)}`);
    } else if (data.msc === 'close-reply' && this.#closeSent) {
      this.#closePort();
    }
  }

  #onMessageError(error: unknown): void {
    this.#events.violation(`expected a message that can be deserialized, but got one that cannot`, error);
  }

  /** The port closed under us: the peer closed it after the handshake, or its thread went away. */
  #onPortClosed(): void {
    this.#portClosed = true;
    this.#detachPort();
    // Ignored when the connection had already ended; what arrived before is still delivered.
    this.#events.ended({
      code: 'error',
      message: 'the other side of the MessagePort went away without closing the connection',
      remote: true,
    });
  }

  /**
   * Credit for the sender, carrying everything delivered since the last `ack`. Once a quarter of the
   * low-water mark is owed it goes out at the next event-loop turn (the sender may be waiting in
   * `whenDrained`); smaller amounts wait up to {@link lazyAcknowledgementMs}, so request/response
   * traffic does not pay a second message per frame. A sender can only be held back by more than the
   * low-water mark, which is always acknowledged promptly.
   */
  #acknowledge(bytes: number): void {
    if (this.#portClosed) return;
    this.#bytesToAcknowledge += bytes;
    if (this.#bytesToAcknowledge >= this.#lowWaterMarkBytes / 4) {
      if (this.#acknowledgementScheduled) return;
      this.#acknowledgementScheduled = true;
      macrotask((this.#acknowledgementTask ??= () => this.#sendAcknowledgement()));
    } else if (this.#lazyAcknowledgement === undefined) {
      this.#lazyAcknowledgement = setTimeout(
        (this.#acknowledgementTask ??= () => this.#sendAcknowledgement()),
        lazyAcknowledgementMs,
      );
      (this.#lazyAcknowledgement as { unref?: () => void }).unref?.();
    }
  }

  #sendAcknowledgement(): void {
    this.#acknowledgementScheduled = false;
    if (this.#lazyAcknowledgement !== undefined) {
      clearTimeout(this.#lazyAcknowledgement);
      this.#lazyAcknowledgement = undefined;
    }
    const pending = this.#bytesToAcknowledge;
    this.#bytesToAcknowledge = 0;
    if (pending > 0) this.#post({ msc: 'ack', bytes: pending });
  }

  #post(control: Control): void {
    if (this.#portClosed) return;
    this.#port.postMessage(control, noTransfer);
  }

  #closePort(): void {
    if (this.#portClosed) return;
    this.#portClosed = true;
    if (this.#lazyAcknowledgement !== undefined) {
      clearTimeout(this.#lazyAcknowledgement);
      this.#lazyAcknowledgement = undefined;
    }
    this.#detachPort();
    this.#port.close();
  }
}

/** A connection over a MessagePort: the kit's lifecycle over a {@link MessagePortMedium}. */
class MessagePortConnection extends DrivenConnection<MessagePortMedium> {
  /** See {@link MessagePortConnectionOptions.sendEarly}: each frame is posted when sent (no coalescing). */
  readonly sendEarly: boolean;

  constructor(port: MessagePortLike, options: MessagePortConnectionOptions) {
    const number = ++connections;
    const settings = messageConnectionSettings(options, {
      local: `message-port:local#${number}`,
      remote: `message-port:remote#${number}`,
    });
    super(settings, (events) => new MessagePortMedium(port, settings.lowWaterMarkBytes, events));
    this.sendEarly = options.sendEarly ?? true;
  }

  /** Values frames travel as structured clones (see `Connection.sendValues`). */
  get carriesValues(): boolean {
    return true;
  }

  sendValues(values: unknown[], transfer: ArrayBuffer[], bytes: number): void {
    this.send(new ValuesFrame(values, bytes, transfer));
  }
}

/**
 * A {@link Connection} over a MessagePort (web, or `node:worker_threads`), for talking to another thread. The
 * other side must wrap its port with `messagePortConnection` too.
 *
 * - Frames are transferred, not copied, when they own their whole `ArrayBuffer` (the sender's view is detached:
 *   `send()` took ownership); a view into a larger buffer is copied first.
 * - Frames of at most {@link stringFrameBytes} bytes travel as strings once the peer said it takes them (an older
 *   peer never does, and gets `Uint8Array`s).
 * - It carries values too (`carriesValues`): `sendValues()` posts a structured clone, which a session uses
 *   after its handshake when both sides agree (see the package README).
 * - `close()` and `abort()` travel in-band, so the peer learns which one happened; a graceful close waits for the
 *   peer's answer (at most `closeTimeoutMs`) and then closes the port.
 * - On Node, the port's `close` event reveals a peer that went away (its thread ended): `closed()` with code
 *   `error`, `remote: true`. Web ports without a `close` event cannot notice that.
 * - Each frame is posted when sent, and the other end is taken to run in another thread (`sendEarly`, unless the
 *   options say `false`): a session posts the first message of each turn at once, so the peer starts on it while
 *   this side finishes its turn.
 * - `bufferedBytes` counts bytes the peer has not yet delivered to its receiver (acknowledged at most once per
 *   event-loop turn, small amounts after up to 20 ms), so a slow or unstarted peer pushes back on the sender.
 *
 * The connection subscribes to the port at once (frames are buffered until `start()`); while open, a Node port
 * keeps the event loop alive, as a socket does.
 *
 * @param port one end of a MessageChannel; the connection owns it from now on (and closes it)
 * @param options addresses, limits and timeouts; see {@link MessagePortConnectionOptions}
 */
export function messagePortConnection(
  port: MessagePortLike,
  options: MessagePortConnectionOptions = {},
): Connection {
  return new MessagePortConnection(port, options);
}
