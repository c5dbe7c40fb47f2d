import type { CloseCode, CloseReason } from '../close-reason.ts';
import type { PartsFrame } from './parts-frame.ts';
import type { ValuesFrame } from './values-frame.ts';

/** A frame on its way out to a driver: bytes, a values frame, or bytes given as pieces. */
export type OutgoingFrame = Uint8Array | ValuesFrame | PartsFrame;

/**
 * The part of a connection that knows its medium (a socket, a WebSocket, a port, a channel, a peer object): what a
 * transport writes to build a connection with {@link DrivenConnection}. Everything else (state, close reasons,
 * send guards, drain waiters, the close timeout, abort wording, the receive buffer, pause and resume, heartbeats,
 * budgets) is the lifecycle's.
 *
 * The lifecycle calls these methods; none of them may throw, and none may call back into the lifecycle
 * synchronously except as documented on {@link DriverEvents}.
 */
export interface ConnectionDriver {
  /**
   * Bytes given to the driver (frames and control records) that the medium still holds on our side: a socket's
   * unwritten queue, bytes the peer has not acknowledged or released. Part of `bufferedBytes` and of the
   * `maxBufferedBytes` budget; 0 once the medium is gone.
   */
  readonly heldBytes: number;
  /**
   * Writes frames, in order. With `coalesceWrites` the frames sent in one turn come together after the turn;
   * without it each frame comes alone, at once, in an array the lifecycle reuses (read it during the call only).
   * The frames are the driver's from now on (see the ownership rule of `Connection.send`). A medium that
   * carries structured-clone values also gets the {@link ValuesFrame}s its connection's `sendValues` sends (and
   * may throw what the clone throws, for a value that cannot be cloned), and reports arriving ones through
   * {@link DriverEvents.frame}. A driver that takes parts ({@link ConnectionDriver.takesParts}) also gets
   * the {@link PartsFrame}s of `sendParts`: it writes each one's pieces, in order, as one frame.
   */
  writeFrames(frames: readonly OutgoingFrame[]): void;
  /**
   * Whether {@link ConnectionDriver.writeFrames} takes {@link PartsFrame}s and writes their pieces without
   * joining them (a socket's gather write). Absent or `false`: {@link DrivenConnection} joins a frame's pieces
   * into one buffer before the driver sees it. (A {@link DrivenConnectionCore} sends no parts.)
   */
  readonly takesParts?: boolean;
  /** Starts a graceful close: after every frame written, tell the peer `code` and `message`. */
  sendClose(code: CloseCode, message: string): void;
  /**
   * Answers the peer's close (it came after the peer's last frame): after our last frame, let the peer finish.
   * Called when the peer's close arrives, also while our own close is under way. No timer of the lifecycle runs
   * after this (nor after {@link CoreDriverEvents.closeConfirmed}): a medium that can stay up while the peer does
   * not read (a half-closed socket) must bound that wait itself, by the connection's `closeTimeoutMs`.
   */
  answerClose(): void;
  /**
   * Leaves without a graceful close, telling the peer `code` and `message` when that costs no waiting (a queue of
   * megabytes must not delay an abort). Whatever was not written yet may be dropped.
   */
  sendAbort(code: CloseCode, message: string): void;
  /** Ends the medium at once, telling the peer nothing more (a deadline passed, the peer aborted). */
  reset(): void;
  /**
   * Whether {@link DriverEvents.frame} is only ever called from an event-loop task of the medium's own (a port's
   * message event, a socket's read), never from inside the stack of code that sent the frame. The lifecycle then
   * hands a frame to the receiver at once when nothing waits ahead of it, instead of in a scheduled delivery.
   * Absent or `false`: every frame goes through the inbox's scheduler (required for same-thread media, where the
   * sender's `send()` reaches `frame` synchronously).
   */
  readonly framesArriveInOwnTask?: boolean;
  /** Stops reading from the medium, so a slow receiver pushes back on the sender. Absent: cannot pause. */
  pauseReading?(): void;
  /** Resumes reading after {@link ConnectionDriver.pauseReading}. */
  resumeReading?(): void;
  /** Sends a "tell me you are alive" heartbeat. Heartbeats run only when both ping and pong are present. */
  sendPing?(): void;
  /** Sends a sign of life (the answer to a ping, or unprompted). */
  sendPong?(): void;
  /** The receiver took (or an abort dropped) `bytes` of incoming frames: flow-control credit for the peer. */
  framesReleased?(bytes: number): void;
  /** The connection's frame cap changed (`setMaxFrameBytes`): check arriving length prefixes against `bytes`. */
  maxFrameBytesChanged?(bytes: number): void;
  /**
   * Someone started waiting for `bufferedBytes` to fall. A medium with no write signal (a browser WebSocket) polls
   * and reports {@link DriverEvents.written} while {@link DriverEvents.drainAwaited} holds.
   */
  drainAwaited?(): void;
  /** The connection is closed: stop listening to the medium where that is the driver's to do. Called once. */
  detach?(): void;
}

/**
 * What the driver reports to the lifecycle, in the order things happen on the medium. Deliveries to the receiver go
 * through the inbox's scheduler, except that a driver whose frames arrive in tasks of their own
 * ({@link ConnectionDriver.framesArriveInOwnTask}) may see `frame` deliver the frame before it returns. Reports after the connection
 * closed are ignored (frames are dropped). The lifecycle passes one object per connection whose methods live on its
 * class's prototype: a driver keeps it in a field and calls its methods (no closure per event is needed).
 */
export interface CoreDriverEvents {
  /** Whether our graceful close is under way (sent, not yet confirmed). */
  readonly closing: boolean;
  /** Whether anyone waits in `whenDrained()`. */
  readonly drainAwaited: boolean;
  /** One whole frame arrived; frames over the connection's `maxFrameBytes` are a protocol violation. */
  frame(frame: Uint8Array | ValuesFrame): void;
  /** Something arrived from the peer: it is alive (drivers call it per chunk or per message, not per frame). */
  heard(): void;
  /** The peer asked for a sign of life; the lifecycle answers it, within the budget. */
  ping(): void;
  /** The medium wrote some of `heldBytes`: drain waiters may be released. */
  written(): void;
  /** The peer confirmed our graceful close: we are closed with our own reason. */
  closeConfirmed(): void;
  /** The peer broke the rules of the medium; the frames that arrived intact before are still delivered. */
  violation(message: string, error?: unknown): void;
  /**
   * The medium ended (failed, vanished) with `reason`; the frames that arrived before are still delivered, then the
   * receiver sees the reason the connection settled with (this one, unless {@link DriverEvents.settle} or another
   * ending came first).
   */
  ended(reason: CloseReason): void;
}

/**
 * {@link CoreDriverEvents} and what media other than a browser's WebSocket report: the events of a
 * {@link DrivenConnection} (a {@link DrivenConnectionCore} reports only the core's).
 */
export interface DriverEvents extends CoreDriverEvents {
  /** The peer's graceful close arrived after its last frame, with its code and message. */
  peerClosed(code: CloseCode, message: string): void;
  /** The peer aborted: what was not delivered is dropped. */
  peerAborted(code: CloseCode, message: string): void;
  /**
   * Settles the connection with `reason` now (sends throw from here on) while frames still on their way keep
   * arriving; the receiver sees the end at a later {@link DriverEvents.ended} or {@link DriverEvents.broken}.
   */
  settle(reason: CloseReason): void;
  /** The medium broke with `reason` and lost what was in flight: nothing more is delivered. */
  broken(reason: CloseReason): void;
  /** A buffer of `bytes` for an arriving frame could not be allocated: ends this connection with `limit`. */
  allocationFailed(bytes: number, error: unknown): void;
}
