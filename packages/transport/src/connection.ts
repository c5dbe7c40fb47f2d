import type { CloseOptions, CloseReason } from './close-reason.ts';
import type { FrameReceiver } from './frame-receiver.ts';

/**
 * A framed, ordered, reliable, bidirectional connection.
 *
 * Frames keep their boundaries, arrive in the order they were sent, and are either all delivered or the connection
 * ends with a {@link CloseReason} that says why. Delivery to the {@link FrameReceiver} is asynchronous: never inside
 * the stack of the `send()` (or `close()`, `abort()`) that caused it.
 *
 * Ownership: `send()` takes ownership of the frame's bytes (the caller must not touch them again). A transport may
 * transfer (detach) the underlying `ArrayBuffer` only when the frame spans all of it; a frame that is a view into a
 * larger buffer must be copied by a transport that needs to move it, and the rest of that buffer left alone. A
 * delivered frame belongs to the receiver.
 */
export interface Connection {
  /** This side's address, as this side sees it, e.g. `tcp:127.0.0.1:5000` or `memory:lobby#3`. */
  readonly localAddress: string;
  /** The peer's address, as this side sees it. */
  readonly remoteAddress: string;
  /**
   * Whether `localAddress` and `remoteAddress` are the connection's real endpoints, so that the two
   * ends of a direct connection report the same pair crosswise (sessions bind their handshake to
   * it, which defeats a relay). `false` when this side cannot see them, as in a browser, whose
   * WebSocket hides its own address. Absent means `true`.
   */
  readonly addressesObservable?: boolean;
  /**
   * Starts delivery to `receiver`. Frames (and the end of the connection) that arrived earlier are buffered until
   * then and delivered first, in order, in a later turn. Call once.
   *
   * @throws Error when called a second time.
   */
  start(receiver: FrameReceiver): void;
  /**
   * Sends one frame. Ownership of the buffer passes to the transport, even when this throws.
   *
   * @throws ConnectionClosedError after `close()`/`abort()` was called or the connection ended.
   * @throws FrameTooLargeError when `frame.byteLength > maxFrameBytes`; the connection stays open.
   * @throws TypeError when `frame` is not a `Uint8Array` (a `Buffer` is one); the connection stays open.
   */
  send(frame: Uint8Array): void;
  /**
   * Whether this connection also carries structured-clone values ({@link Connection.sendValues}): a
   * MessagePort does, a byte stream does not. Absent means `false`.
   */
  readonly carriesValues?: boolean;
  /**
   * Sends one values frame: `values`, copied by the platform's structured clone (and `transfer`,
   * moved), reaching the peer's {@link FrameReceiver.values} in order with the frames. `bytes` is the
   * sender's size estimate: it counts as a frame of that many bytes (frame cap, `bufferedBytes`,
   * flow control). Only where {@link Connection.carriesValues} is true; the receiver checks what
   * arrives (a clone from a peer is hostile input, as bytes are).
   *
   * @throws ConnectionClosedError after `close()`/`abort()` or the end
   * @throws FrameTooLargeError when `bytes > maxFrameBytes`; the connection stays open
   * @throws Error when the connection does not carry values, or the clone fails (a value that cannot be cloned)
   */
  sendValues?(values: unknown[], transfer: ArrayBuffer[], bytes: number): void;
  /**
   * A hint for senders that gather a turn's messages into one frame: a frame given to `send()` goes
   * out at once (no coalescing in the transport) to a peer that runs in parallel (another thread or
   * process), so sending a turn's first frame early lets the peer start on it while this side goes
   * on. A session then sends the first message of a turn at once, and the rest of the turn together
   * after it. Absent means `false` (send once per turn): a peer in this thread gains nothing from an
   * early frame, and a socket coalesces writes anyway.
   */
  readonly sendEarly?: boolean;
  /**
   * Whether {@link Connection.sendParts} writes a frame's pieces without joining them (a socket's
   * gather write), so that giving a frame as pieces saves a copy. Absent means `false`.
   */
  readonly takesParts?: boolean;
  /**
   * Sends one frame given as its pieces, in order: the peer receives the one frame they make up, as if
   * it had been sent whole with `send()`. Ownership of every piece passes to the transport, even when
   * this throws: the pieces may be written later, from where they are (do not change them). A
   * transport that does not take parts ({@link Connection.takesParts}) joins them into one buffer.
   *
   * @throws ConnectionClosedError after `close()`/`abort()` was called or the connection ended.
   * @throws FrameTooLargeError when the pieces add up to more than `maxFrameBytes`; the connection stays open.
   * @throws TypeError when `parts` is not an array of `Uint8Array`s; the connection stays open.
   */
  sendParts?(parts: readonly Uint8Array[]): void;
  /**
   * Bytes accepted by `send()` (and `sendValues()`, `sendParts()`) and not yet handed to the medium or the peer: the backpressure signal. A sender that
   * sees it grow should wait for {@link Connection.whenDrained} before sending more.
   */
  readonly bufferedBytes: number;
  /**
   * Resolves when `bufferedBytes` falls to or below the transport's low-water mark, or the connection closes. Never
   * rejects. Resolves at once when that is already the case.
   */
  whenDrained(): Promise<void>;
  /**
   * Graceful close: frames already sent are delivered first, then both sides see `closed()`. Further `send()` calls
   * throw. Resolves once the connection is closed (when {@link Connection.closed} settles). Idempotent: later calls
   * return the same outcome and do not change the reason. Never rejects.
   */
  close(options?: CloseOptions): Promise<void>;
  /**
   * Immediate close: pending outgoing (and undelivered incoming) frames are dropped and both sides see `closed()`
   * promptly, this side with code `aborted`, `remote: false` and `error` as given. Idempotent; does nothing once
   * the connection is closed.
   */
  abort(error?: unknown): void;
  /** Settles (never rejects), exactly once, with the reason once the connection is closed. */
  readonly closed: Promise<CloseReason>;
  /**
   * The largest frame `send()` accepts and the largest frame this side receives, in bytes: a larger one throws
   * FrameTooLargeError on `send()`, and ends the connection with `protocol` when it arrives (stream transports
   * check the length prefix before holding anything for the frame).
   */
  readonly maxFrameBytes: number;
  /**
   * Changes {@link Connection.maxFrameBytes} for this connection, in both directions, from now on: for example a
   * session keeps it small until its handshake completes, then raises it. It can go from 0 up to the transport's
   * own `maxFrameBytes` option (the default of every connection).
   *
   * @throws RangeError for a value that is not a whole number, is negative or is above the transport's option
   */
  setMaxFrameBytes(bytes: number): void;
}
