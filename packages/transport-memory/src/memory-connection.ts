import {
  type CloseCode,
  type CloseOptions,
  type CloseReason,
  type Connection,
  ConnectionClosedError,
  DrainWaiters,
  FrameInbox,
  type FrameReceiver,
  FrameTooLargeError,
} from '@msc/transport';
import { ConnectionBrokenError } from './connection-broken-error.ts';
import { describeError } from './describe-error.ts';
import {
  defaultLowWaterMarkBytes,
  defaultMaxFrameBytes,
  type MemoryConnectionOptions,
} from './memory-connection-options.ts';

/** A {@link Connection} inside one process, with fault injection for tests. */
export interface MemoryConnection extends Connection {
  /**
   * Breaks the connection now, as if the peer died: frames not yet delivered are dropped in both directions and
   * both sides see `closed()` with code `error`, `remote: true` and a {@link ConnectionBrokenError} (or `error`).
   * Does nothing once this side is closed.
   */
  breakNow(error?: unknown): void;
}

/**
 * What travels between the two ends besides frames. The graceful close is a two-way handshake, as TCP's FIN/FIN:
 * `close` goes after the closer's last frame; the peer answers `close-reply` after its own last frame; each side is
 * closed once it has seen the other's last message, so no frame is lost in either direction.
 */
type Signal =
  | { readonly kind: 'close'; readonly code: CloseCode; readonly message: string }
  | { readonly kind: 'close-reply' }
  /** Ends the receiving inbox after the frames still in flight (used by `breakAfterFrames`). */
  | { readonly kind: 'end'; readonly reason: CloseReason };

type Entry = Uint8Array | Signal;

/** What both ends of one connection share. */
interface Link {
  readonly delayMs: number;
  readonly breakAfterFrames: number | undefined;
  framesCarried: number;
  ends: readonly [MemoryEnd, MemoryEnd] | undefined;
}

const resolved = Promise.resolve();

/** One end of an in-process connection. Its peer is the other end of the same {@link Link}. */
class MemoryEnd implements MemoryConnection {
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly maxFrameBytes: number;
  readonly closed: Promise<CloseReason>;
  #peer!: MemoryEnd;
  readonly #link: Link;
  readonly #lowWaterMarkBytes: number;
  readonly #inbox: FrameInbox;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #localCloseReason: CloseReason | undefined;
  #reason: CloseReason | undefined;
  #resolveClosed!: (reason: CloseReason) => void;
  /** Bytes this end sent that the peer's inbox has not released (delivered or dropped) yet. */
  #unreleasedBytes = 0;
  readonly #drained = new DrainWaiters();
  // Entries on their way to the peer when delayMs > 0, with the time (performance.now()) each is due.
  #inFlight: (Entry | undefined)[] = [];
  #inFlightDue: number[] = [];
  #inFlightHead = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(link: Link, options: MemoryConnectionOptions, localAddress: string, remoteAddress: string) {
    this.#link = link;
    this.localAddress = localAddress;
    this.remoteAddress = remoteAddress;
    this.maxFrameBytes = options.maxFrameBytes ?? defaultMaxFrameBytes;
    this.#lowWaterMarkBytes = options.lowWaterMarkBytes ?? defaultLowWaterMarkBytes;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#inbox = new FrameInbox({
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
      // Our inbox holds the peer's frames: releasing them is what lowers the peer's bufferedBytes.
      onReleased: (bytes) => this.#peer.#release(bytes),
    });
  }

  /** Connects two ends; called once, right after both exist. */
  static join(first: MemoryEnd, second: MemoryEnd): void {
    first.#peer = second;
    second.#peer = first;
  }

  get bufferedBytes(): number {
    return this.#unreleasedBytes;
  }

  start(receiver: FrameReceiver): void {
    this.#inbox.start(receiver);
  }

  send(frame: Uint8Array): void {
    if (this.#state !== 'open') throw new ConnectionClosedError(this.#reason);
    if (frame.byteLength > this.maxFrameBytes)
      throw new FrameTooLargeError(frame.byteLength, this.maxFrameBytes);
    // Zero copy: the peer receives this very buffer; send() took ownership of it.
    this.#unreleasedBytes += frame.byteLength;
    this.#transmit(frame);
    const link = this.#link;
    if (link.breakAfterFrames !== undefined && ++link.framesCarried >= link.breakAfterFrames) {
      breakLink(
        link,
        false,
        new ConnectionBrokenError(`the connection broke after ${link.framesCarried} frames`),
      );
    }
  }

  whenDrained(): Promise<void> {
    if (this.#reason !== undefined || this.#unreleasedBytes <= this.#lowWaterMarkBytes) return resolved;
    return this.#drained.wait();
  }

  close(options: CloseOptions = {}): Promise<void> {
    if (this.#state === 'open') {
      this.#state = 'closing';
      const code = options.code ?? 'normal';
      const message = options.message ?? 'the connection was closed by the local side';
      this.#localCloseReason = { code, message, remote: false };
      this.#transmit({ kind: 'close', code, message: options.message ?? 'the peer closed the connection' });
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
    const peer = this.#peer;
    this.#finish(reason);
    this.#dropInFlight();
    this.#inbox.abort(reason);
    // The peer learns at once (aborts are not delayed) and loses what it had not delivered yet.
    const peerReason: CloseReason = {
      code: 'aborted',
      message: `the peer aborted the connection (${describeError(error)})`,
      remote: true,
    };
    peer.#finish(peerReason);
    peer.#dropInFlight();
    peer.#inbox.abort(peer.#reason ?? peerReason);
  }

  breakNow(error?: unknown): void {
    if (this.#state === 'closed') return;
    breakLink(this.#link, true, error ?? new ConnectionBrokenError());
  }

  /** Ends this side for an injected fault; see {@link breakLink}. */
  fail(reason: CloseReason, dropPending: boolean): void {
    const wasOpen = this.#reason === undefined;
    this.#finish(reason);
    if (dropPending) {
      this.#dropInFlight();
      this.#inbox.abort(this.#reason ?? reason);
    } else if (wasOpen) {
      // The frames the peer already sent still arrive (after the delay), then our receiver sees the end.
      this.#peer.#transmit({ kind: 'end', reason });
    }
  }

  /** Sends an entry to the peer: at once, or after `delayMs` in FIFO order. */
  #transmit(entry: Entry): void {
    if (this.#link.delayMs <= 0) {
      this.#peer.#arrive(entry);
      return;
    }
    this.#inFlight.push(entry);
    this.#inFlightDue.push(performance.now() + this.#link.delayMs);
    if (this.#timer === undefined) this.#armTimer();
  }

  #armTimer(): void {
    const due = this.#inFlightDue[this.#inFlightHead]!;
    this.#timer = setTimeout(this.#flushInFlight, Math.max(1, Math.ceil(due - performance.now())));
  }

  readonly #flushInFlight = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    const peer = this.#peer;
    while (this.#inFlightHead < this.#inFlight.length && this.#inFlightDue[this.#inFlightHead]! <= now) {
      const entry = this.#inFlight[this.#inFlightHead]!;
      this.#inFlight[this.#inFlightHead++] = undefined;
      peer.#arrive(entry);
      // A fault or abort triggered by that arrival may have emptied the queue.
    }
    if (this.#inFlightHead >= this.#inFlight.length) {
      this.#inFlight = [];
      this.#inFlightDue = [];
      this.#inFlightHead = 0;
    } else {
      this.#armTimer();
    }
  };

  #dropInFlight(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    let dropped = 0;
    for (let index = this.#inFlightHead; index < this.#inFlight.length; index++) {
      const entry = this.#inFlight[index];
      if (entry instanceof Uint8Array) dropped += entry.byteLength;
    }
    this.#inFlight = [];
    this.#inFlightDue = [];
    this.#inFlightHead = 0;
    if (dropped > 0) this.#release(dropped);
  }

  /** What the peer sent reaches this end. No user code runs here: deliveries go through the inbox's scheduler. */
  #arrive(entry: Entry): void {
    if (entry instanceof Uint8Array) {
      // Refused when this end already ended (aborted, broken): the frame is lost, give the sender its credit back.
      if (!this.#inbox.push(entry)) this.#peer.#release(entry.byteLength);
      return;
    }
    switch (entry.kind) {
      case 'close':
        if (this.#state === 'open') {
          // Our last message (after anything we sent before) tells the closer it may finish.
          this.#transmit({ kind: 'close-reply' });
          const reason: CloseReason = { code: entry.code, message: entry.message, remote: true };
          this.#finish(reason);
          this.#inbox.end(reason);
        } else if (this.#state === 'closing') {
          // Both sides closed at once: answer, and finish when the peer's answer to our close comes.
          this.#transmit({ kind: 'close-reply' });
        }
        return;
      case 'close-reply':
        if (this.#state === 'closing') {
          const reason = this.#localCloseReason!;
          this.#finish(reason);
          this.#inbox.end(reason);
        }
        return;
      case 'end':
        this.#inbox.end(this.#reason ?? entry.reason);
        return;
    }
  }

  #release(bytes: number): void {
    this.#unreleasedBytes -= bytes;
    if (this.#unreleasedBytes <= this.#lowWaterMarkBytes) this.#drained.release();
  }

  /** Settles the connection-level state once; the receiver's closed() follows through the inbox. */
  #finish(reason: CloseReason): void {
    if (this.#reason !== undefined) return;
    this.#state = 'closed';
    this.#reason = reason;
    this.#resolveClosed(reason);
    this.#drained.release();
  }
}

function ignore(): void {}

/**
 * Breaks both ends of a link, as a dead medium would: each side that is still up sees `closed()` with code
 * `error` and `remote: true`. With `dropPending` the frames not yet delivered are lost (a crash); without it the
 * frames already sent are still delivered first (the medium died right after carrying them).
 */
function breakLink(link: Link, dropPending: boolean, error: unknown): void {
  const ends = link.ends;
  if (ends === undefined) return;
  const reason: CloseReason = {
    code: 'error',
    message: `the connection broke (${describeError(error)})`,
    remote: true,
    error,
  };
  for (const end of ends) end.fail(reason, dropPending);
}

/** The addresses of the two ends of a pair, each as that end sees itself and its peer. */
export interface MemoryPairAddresses {
  readonly first: { readonly local: string; readonly remote: string };
  readonly second: { readonly local: string; readonly remote: string };
}

/**
 * Creates two connected in-process connections sharing `options` (delay, faults, scheduler, limits).
 *
 * @throws RangeError for a negative `delayMs` or `breakAfterFrames`.
 */
export function createMemoryConnectionPair(
  options: MemoryConnectionOptions,
  addresses: MemoryPairAddresses,
): [MemoryConnection, MemoryConnection] {
  const delayMs = options.delayMs ?? 0;
  if (!(delayMs >= 0)) throw new RangeError(`expected delayMs to be 0 or more, but got ${delayMs}`);
  const breakAfterFrames = options.breakAfterFrames;
  if (breakAfterFrames !== undefined && !(breakAfterFrames >= 0)) {
    throw new RangeError(`expected breakAfterFrames to be 0 or more, but got ${breakAfterFrames}`);
  }
  const link: Link = { delayMs, breakAfterFrames, framesCarried: 0, ends: undefined };
  const first = new MemoryEnd(link, options, addresses.first.local, addresses.first.remote);
  const second = new MemoryEnd(link, options, addresses.second.local, addresses.second.remote);
  MemoryEnd.join(first, second);
  link.ends = [first, second];
  if (breakAfterFrames === 0)
    breakLink(link, false, new ConnectionBrokenError('the connection broke at once'));
  return [first, second];
}
