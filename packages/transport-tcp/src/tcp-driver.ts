import type { Socket } from 'node:net';
import type { CloseCode } from '@msc/transport';
import { type ConnectionDriver, type DriverEvents, describeError, type PartsFrame } from '@msc/transport/kit';
import { FrameDecoder, type RecordSink } from './frame-decoder.ts';
import type { TcpSettings } from './tcp-transport-options.ts';
import {
  abortWord,
  closeWord,
  controlRecord,
  type Notice,
  noticeRecord,
  pingWord,
  pongWord,
} from './wire-format.ts';

/** Frames at least this large are written as their own chunk (no copy); smaller ones are copied into one buffer. */
const copyLimitBytes = 32 * 1024;

const ping = controlRecord(pingWord);
const pong = controlRecord(pongWord);

/** One turn's socket write under way: the buffer the small pieces are copied into, and how far it is filled and written. */
interface FramesWrite {
  readonly socket: Socket;
  readonly buffer: Buffer;
  position: number;
  written: number;
}

/** Writes `piece`: copied into the turn's buffer when small, else as a chunk of its own behind what the buffer holds so far. */
function writePiece(writing: FramesWrite, piece: Uint8Array): void {
  const length = piece.length;
  if (length < copyLimitBytes) {
    // An empty piece is skipped (one whose buffer was detached would throw in set()).
    if (length > 0) writing.buffer.set(piece, writing.position);
    writing.position += length;
  } else {
    if (writing.position > writing.written) {
      writing.socket.write(writing.buffer.subarray(writing.written, writing.position));
    }
    writing.socket.write(piece);
    writing.written = writing.position;
  }
}

/**
 * The bytes a frame given as pieces holds now: their lengths summed here, not the count `sendParts`
 * took. A piece whose buffer was transferred or resized since then (a misuse) shrinks its frame, whose
 * length prefix must still match what follows it, or every later frame would be read wrongly.
 */
function partsLength(frame: PartsFrame): number {
  let length = 0;
  for (const part of frame.parts) length += part.length;
  return length;
}

/** Ends a socket at once with a reset (RST) where the handle allows it (not TLS sockets), else a plain destroy. */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/**
 * The TCP medium of a connection (the records of `wire-format.ts` over a connected socket): it subscribes to the
 * socket at once, decodes records into driver events, writes one turn's frames in one corked write, and turns
 * every way a socket can end into one report. It is its decoder's {@link RecordSink} itself (methods on the
 * prototype, no closure per connection).
 */
export class TcpSocketDriver implements ConnectionDriver, RecordSink {
  readonly #socket: Socket;
  readonly #events: DriverEvents;
  readonly #decoder: FrameDecoder;
  readonly #closeTimeoutMs: number;
  /** Frames come from the socket's `data` events, each a task of its own. */
  readonly framesArriveInOwnTask = true;
  /** A frame given as pieces is written piece by piece (see writeFrames). */
  readonly takesParts = true;
  /** The close notice the peer sent before its FIN, if any: it names the code and message of its close. */
  #peerNotice: Notice | undefined = undefined;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #detached = false;

  /**
   * @param socket a connected socket (after `connect`/`secureConnect`), owned by the connection from now on
   * @param settings the transport's settings
   * @param events where the socket's events go
   */
  constructor(socket: Socket, settings: TcpSettings, events: DriverEvents) {
    this.#socket = socket;
    this.#events = events;
    this.#closeTimeoutMs = settings.closeTimeoutMs;
    this.#decoder = new FrameDecoder(settings.maxFrameBytes, this);
    socket.setNoDelay(settings.noDelay);
    if (settings.keepAliveDelayMs !== undefined) socket.setKeepAlive(true, settings.keepAliveDelayMs);
    socket.on('data', (chunk: Buffer) => {
      events.heard();
      this.#decoder.push(chunk);
    });
    socket.on('end', () => this.#peerEnded());
    socket.on('error', (error) =>
      events.ended({
        code: 'error',
        message: `the connection failed (${describeError(error)})`,
        remote: true,
        error,
      }),
    );
    socket.on('close', () => {
      events.ended({
        code: 'error',
        message: 'the connection closed without a close handshake',
        remote: true,
      });
      clearTimeout(this.#lingerTimer);
    });
    socket.on('drain', this.#written);
  }

  /** @internal For tests: how many separate buffers the frame under assembly is held in (see FrameDecoder). */
  get heldPieces(): number {
    return this.#decoder.heldPieces;
  }

  get heldBytes(): number {
    return this.#detached || this.#socket.destroyed ? 0 : this.#socket.writableLength;
  }

  /**
   * Writes the frames queued this turn: small ones copied into one buffer, large ones as their own chunks.
   * A frame given as pieces ({@link PartsFrame}) goes the same way piece by piece behind its one length
   * prefix: its small pieces copied, its large ones written as they are.
   */
  writeFrames(frames: readonly (Uint8Array | PartsFrame)[]): void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return;
    let copiedBytes = 0;
    let chunks = frames.length;
    // `length`, not `byteLength` (an inline-cache call on Node 20: see the kit's frameSize).
    for (const frame of frames) {
      copiedBytes += 4;
      if (frame instanceof Uint8Array) {
        if (frame.length < copyLimitBytes) copiedBytes += frame.length;
        else chunks++;
      } else {
        for (const part of frame.parts) {
          if (part.length < copyLimitBytes) copiedBytes += part.length;
          else chunks++;
        }
      }
    }
    // Not zero-filled (every byte is written below); small sizes come from Node's buffer pool.
    const buffer = Buffer.allocUnsafe(copiedBytes);
    const writing: FramesWrite = { socket, buffer, position: 0, written: 0 };
    // Several chunks leave in one writev (one small frame, the common case, is one write and needs no cork).
    const corked = chunks > 1;
    if (corked) socket.cork();
    try {
      for (const frame of frames) {
        // The length prefix by hand: writeUInt32BE checks its arguments on every call.
        const length = frame instanceof Uint8Array ? frame.length : partsLength(frame);
        const position = writing.position;
        buffer[position] = length >>> 24;
        buffer[position + 1] = (length >>> 16) & 0xff;
        buffer[position + 2] = (length >>> 8) & 0xff;
        buffer[position + 3] = length & 0xff;
        writing.position = position + 4;
        if (frame instanceof Uint8Array) writePiece(writing, frame);
        else for (const part of frame.parts) writePiece(writing, part);
      }
      const { written, position } = writing;
      if (written === 0 && position === buffer.length) socket.write(buffer, this.#written);
      else if (written < position) socket.write(buffer.subarray(written, position), this.#written);
      else socket.write(new Uint8Array(0), this.#written);
    } finally {
      // Uncorked whatever happens: a corked socket would hold every later write.
      if (corked) socket.uncork();
    }
  }

  sendClose(code: CloseCode, message: string): void {
    // After the frames already written: the notice, then our FIN; we keep reading until the peer's FIN.
    const socket = this.#socket;
    if (!socket.destroyed && !socket.writableEnded) socket.end(noticeRecord(closeWord, { code, message }));
  }

  answerClose(): void {
    // Our own FIN, after what we had sent (the peer reads until then).
    if (!this.#socket.writableEnded) this.#socket.end();
  }

  /**
   * Leaves without a graceful close, telling the peer why when that costs no waiting: an abort notice and our FIN
   * when nothing is queued in the socket, a reset otherwise.
   */
  sendAbort(code: CloseCode, message: string): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    if (socket.writableLength === 0 && !socket.writableEnded) {
      socket.end(noticeRecord(abortWord, { code, message }));
      // The peer destroys its end when it reads the notice; do not linger if it never does.
      this.#resetUnlessClosedInTime();
    } else {
      reset(socket);
    }
  }

  reset(): void {
    reset(this.#socket);
  }

  pauseReading(): void {
    this.#socket.pause();
  }

  resumeReading(): void {
    this.#socket.resume();
  }

  sendPing(): void {
    this.#writeControl(ping);
  }

  sendPong(): void {
    this.#writeControl(pong);
  }

  maxFrameBytesChanged(bytes: number): void {
    this.#decoder.maxFrameBytes = bytes;
  }

  detach(): void {
    this.#detached = true;
    // The connection settled: whatever still arrives would be dropped, so nothing is decoded or held for it. The
    // socket keeps reading (and dropping) so that the peer's FIN still arrives and the socket closes once it is done.
    this.#decoder.stop();
  }

  // ——— the decoder's records (RecordSink) ———

  /** A whole frame was decoded. */
  frame(frame: Uint8Array): void {
    this.#events.frame(frame);
  }

  /** The peer sent a ping record. */
  ping(): void {
    this.#events.ping();
  }

  /** The peer sent a pong record: `heard()` already counted it. */
  pong(): void {}

  /** The peer sent a close or abort notice. */
  notice(kind: 'close' | 'abort', notice: Notice): void {
    // A close notice: the FIN follows, and the reason is settled then, after the frames that came before it.
    if (kind === 'close') this.#peerNotice = notice;
    else this.#events.peerAborted(notice.code, notice.message);
  }

  /** The byte stream broke the wire format. */
  violation(message: string): void {
    this.#events.violation(message);
  }

  /** No buffer could be allocated for an arriving frame of `bytes`. */
  allocationFailed(bytes: number, error: unknown): void {
    this.#events.allocationFailed(bytes, error);
  }

  #writeControl(record: Uint8Array): void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return;
    socket.write(record, this.#written);
  }

  readonly #written = (): void => {
    this.#events.written();
  };

  /**
   * Resets the socket unless it closes within `closeTimeoutMs` (the 'close' handler clears the timer). Armed once
   * our side has ended or is about to: from then on only the peer's reading can finish the socket, and a peer that
   * never reads must not keep it, its unsent bytes and its listener's `maxConnections` place.
   */
  #resetUnlessClosedInTime(): void {
    const socket = this.#socket;
    if (this.#lingerTimer !== undefined || socket.destroyed) return;
    this.#lingerTimer = setTimeout(() => reset(socket), this.#closeTimeoutMs);
    this.#lingerTimer.unref();
  }

  /** The peer sent its FIN: everything it sent has arrived. */
  #peerEnded(): void {
    // Whatever the connection does now (confirm our close, answer the peer's with our FIN), the lifecycle's close
    // timer is over or never ran, and only our unsent bytes keep the socket: the driver bounds that wait (a
    // closeTimeoutMs of 0 asks for no close timer, as it does of the lifecycle).
    if (this.#closeTimeoutMs > 0) this.#resetUnlessClosedInTime();
    if (this.#events.closing) {
      this.#events.closeConfirmed();
      return;
    }
    const notice = this.#peerNotice;
    this.#events.peerClosed(notice?.code ?? 'normal', notice?.message ?? 'the peer closed the connection');
  }
}
