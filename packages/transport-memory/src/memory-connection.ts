import type { CloseCode, CloseReason, Connection } from '@msc/transport';
import {
  type ConnectionDriver,
  DrivenConnection,
  type DriverEvents,
  defaultMaxBufferedBytes,
  describeError,
  type InBandControlKind,
  receiveInBandControl,
} from '@msc/transport/kit';
import { ConnectionBrokenError } from './connection-broken-error.ts';
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
  | { readonly kind: InBandControlKind; readonly code?: CloseCode; readonly message?: string }
  /** Ends the receiving inbox after the frames still in flight (used by `breakAfterFrames`). */
  | { readonly kind: 'end'; readonly reason: CloseReason };

type Entry = Uint8Array | Signal;

/** What both ends of one connection share. */
interface Link {
  readonly delayMs: number;
  readonly breakAfterFrames: number | undefined;
  framesCarried: number;
  ends: readonly [MemoryMedium, MemoryMedium] | undefined;
}

/**
 * The in-process medium of one end: frames and signals go straight to the peer's medium, at once or after
 * `delayMs` in FIFO order. No user code runs here: deliveries go through the lifecycle's inbox and scheduler.
 */
class MemoryMedium implements ConnectionDriver {
  // Every field is set in the constructor, in this order; the delay queue exists only with delayMs > 0.
  #peer: MemoryMedium | undefined = undefined;
  readonly #link: Link;
  readonly #events: DriverEvents;
  /** Bytes this end sent that the peer's inbox has not released (delivered or dropped) yet. */
  #unreleasedBytes = 0;
  #detached = false;
  // Entries on their way to the peer when delayMs > 0, with the time (performance.now()) each is due.
  #inFlight: (Entry | undefined)[] | undefined = undefined;
  #inFlightDue: number[] | undefined = undefined;
  #inFlightHead = 0;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The timer callback that delivers due entries, made by the first delayed entry. */
  #flushTask: (() => void) | undefined = undefined;

  constructor(link: Link, events: DriverEvents) {
    this.#link = link;
    this.#events = events;
  }

  /** Connects two ends; called once, right after both exist. */
  static join(first: MemoryMedium, second: MemoryMedium): void {
    first.#peer = second;
    second.#peer = first;
  }

  /** Whether this end's connection is closed. */
  get detached(): boolean {
    return this.#detached;
  }

  get heldBytes(): number {
    return this.#unreleasedBytes;
  }

  writeFrames(frames: readonly Uint8Array[]): void {
    for (const frame of frames) {
      // Zero copy: the peer receives this very buffer; send() took ownership of it.
      this.#unreleasedBytes += frame.length;
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
  }

  sendClose(code: CloseCode, message: string): void {
    this.#transmit({ kind: 'close', code, message });
  }

  answerClose(): void {
    // Our last message (after anything we sent before) tells the closer it may finish.
    this.#transmit({ kind: 'close-reply' });
  }

  sendAbort(code: CloseCode, message: string): void {
    this.#dropInFlight();
    // The peer learns at once (aborts are not delayed) and loses what it had not delivered yet.
    this.#peer!.#events.peerAborted(code, message);
  }

  reset(): void {
    this.#dropInFlight();
  }

  framesReleased(bytes: number): void {
    // Our inbox holds the peer's frames: releasing them is what lowers the peer's bufferedBytes.
    this.#peer!.#release(bytes);
  }

  detach(): void {
    this.#detached = true;
  }

  /** Ends this side for an injected fault; see {@link breakLink}. */
  fail(reason: CloseReason, dropPending: boolean): void {
    if (dropPending) {
      this.#dropInFlight();
      this.#events.broken(reason);
    } else if (!this.#detached) {
      this.#events.settle(reason);
      // The frames the peer already sent still arrive (after the delay), then our receiver sees the end.
      this.#peer!.#transmit({ kind: 'end', reason });
    }
  }

  /** Sends an entry to the peer: at once, or after `delayMs` in FIFO order. */
  #transmit(entry: Entry): void {
    if (this.#link.delayMs <= 0) {
      this.#peer!.#arrive(entry);
      return;
    }
    (this.#inFlight ??= []).push(entry);
    (this.#inFlightDue ??= []).push(performance.now() + this.#link.delayMs);
    if (this.#timer === undefined) this.#armTimer();
  }

  #armTimer(): void {
    const due = this.#inFlightDue![this.#inFlightHead]!;
    this.#timer = setTimeout(
      (this.#flushTask ??= () => this.#flushInFlight()),
      Math.max(1, Math.ceil(due - performance.now())),
    );
  }

  #flushInFlight(): void {
    this.#timer = undefined;
    const now = performance.now();
    const peer = this.#peer!;
    // A fault or abort triggered by an arrival may empty the queue (set it to undefined): re-read it every time.
    while (
      this.#inFlight !== undefined &&
      this.#inFlightHead < this.#inFlight.length &&
      this.#inFlightDue![this.#inFlightHead]! <= now
    ) {
      const entry = this.#inFlight[this.#inFlightHead]!;
      this.#inFlight[this.#inFlightHead++] = undefined;
      peer.#arrive(entry);
    }
    if (this.#inFlight === undefined || this.#inFlightHead >= this.#inFlight.length) {
      this.#inFlight = undefined;
      this.#inFlightDue = undefined;
      this.#inFlightHead = 0;
    } else {
      this.#armTimer();
    }
  }

  #dropInFlight(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const inFlight = this.#inFlight;
    if (inFlight === undefined) return;
    let dropped = 0;
    for (let index = this.#inFlightHead; index < inFlight.length; index++) {
      const entry = inFlight[index];
      if (entry instanceof Uint8Array) dropped += entry.length;
    }
    this.#inFlight = undefined;
    this.#inFlightDue = undefined;
    this.#inFlightHead = 0;
    if (dropped > 0) this.#release(dropped);
  }

  /** What the peer sent reaches this end. */
  #arrive(entry: Entry): void {
    if (entry instanceof Uint8Array) {
      this.#events.frame(entry);
      return;
    }
    if (entry.kind === 'end') this.#events.ended(entry.reason);
    else receiveInBandControl(this.#events, entry.kind, entry.code, entry.message);
  }

  #release(bytes: number): void {
    this.#unreleasedBytes -= bytes;
    this.#events.written();
  }
}

/** One end of an in-process connection. Its peer is the other end of the same {@link Link}. */
class MemoryEnd extends DrivenConnection<MemoryMedium> implements MemoryConnection {
  readonly #link: Link;

  constructor(link: Link, options: MemoryConnectionOptions, localAddress: string, remoteAddress: string) {
    super(
      {
        localAddress,
        remoteAddress,
        maxFrameBytes: options.maxFrameBytes ?? defaultMaxFrameBytes,
        lowWaterMarkBytes: options.lowWaterMarkBytes ?? defaultLowWaterMarkBytes,
        maxBufferedBytes: options.maxBufferedBytes ?? defaultMaxBufferedBytes,
        receiveBufferBytes: Number.POSITIVE_INFINITY,
        closeTimeoutMs: 0,
        idleTimeoutMs: 0,
        heartbeatIntervalMs: 0,
        coalesceWrites: false,
        scheduler: options.scheduler,
      },
      (events) => new MemoryMedium(link, events),
    );
    this.#link = link;
  }

  /** This end's medium, for joining and fault injection. */
  get medium(): MemoryMedium {
    return this.driver;
  }

  breakNow(error?: unknown): void {
    if (this.driver.detached) return;
    breakLink(this.#link, true, error ?? new ConnectionBrokenError());
  }
}

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
  MemoryMedium.join(first.medium, second.medium);
  link.ends = [first.medium, second.medium];
  if (breakAfterFrames === 0)
    breakLink(link, false, new ConnectionBrokenError('the connection broke at once'));
  return [first, second];
}
