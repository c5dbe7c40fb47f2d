import type { Socket } from 'node:net';
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
import { describeError } from './describe-error.ts';
import { FrameDecoder } from './frame-decoder.ts';
import { formatTcpAddress } from './tcp-address.ts';
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

/** A {@link Connection} over a TCP (or TLS) socket; see {@link tcp} for the behaviour. */
export interface TcpConnection extends Connection {
  /** Whether the connection runs over TLS. */
  readonly encrypted: boolean;
}

/** Frames at least this large are written as their own chunk (no copy); smaller ones are copied into one buffer. */
const copyLimitBytes = 32 * 1024;

const ping = controlRecord(pingWord);
const pong = controlRecord(pongWord);
const resolved = Promise.resolve();

function ignore(): void {}

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
 * One framed connection over a connected socket. It subscribes to the socket at once (frames are buffered in the
 * inbox until `start()`), coalesces the frames sent in one turn into as few socket writes as possible, answers and
 * sends heartbeats, and turns every way a socket can end into exactly one {@link CloseReason}.
 */
export class TcpSocketConnection implements TcpConnection {
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly maxFrameBytes: number;
  readonly encrypted: boolean;
  readonly closed: Promise<CloseReason>;
  readonly #socket: Socket;
  readonly #settings: TcpSettings;
  readonly #inbox: FrameInbox;
  readonly #decoder: FrameDecoder;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #reason: CloseReason | undefined;
  #localCloseReason: CloseReason | undefined;
  #resolveClosed!: (reason: CloseReason) => void;
  /** Frames accepted by send() and not yet written to the socket, with their payload size. */
  #outgoing: Uint8Array[] = [];
  #outgoingBytes = 0;
  #flushScheduled = false;
  readonly #drained = new DrainWaiters();
  /** The close notice the peer sent before its FIN, if any: it names the code and message of its close. */
  #peerNotice: Notice | undefined;
  #readingPaused = false;
  #receivedSinceTick = false;
  #sentSinceTick = false;
  #lastReceivedAt = performance.now();
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param socket a connected socket (after `connect`/`secureConnect`), owned by the connection from now on
   * @param settings the transport's settings
   */
  constructor(socket: Socket, settings: TcpSettings) {
    this.#socket = socket;
    this.#settings = settings;
    this.maxFrameBytes = settings.maxFrameBytes;
    this.encrypted = 'encrypted' in socket && socket.encrypted === true;
    this.localAddress = formatTcpAddress(socket.localAddress, socket.localPort);
    this.remoteAddress = formatTcpAddress(socket.remoteAddress, socket.remotePort);
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#inbox = new FrameInbox({
      ...(settings.scheduler === undefined ? {} : { scheduler: settings.scheduler }),
      onReleased: () => this.#maybeResumeReading(),
    });
    this.#decoder = new FrameDecoder(settings.maxFrameBytes, {
      frame: (frame) => this.#receiveFrame(frame),
      ping: () => this.#writeControl(pong),
      pong: ignore,
      notice: (kind, notice) => this.#receiveNotice(kind, notice),
      violation: (message) => this.#protocolViolation(message),
    });
    socket.setNoDelay(settings.noDelay);
    if (settings.keepAliveDelayMs !== undefined) socket.setKeepAlive(true, settings.keepAliveDelayMs);
    socket.on('data', (chunk: Buffer) => this.#receiveChunk(chunk));
    socket.on('end', () => this.#peerEnded());
    socket.on('error', (error) => this.#socketFailed(error));
    socket.on('close', () => this.#socketClosed());
    socket.on('drain', () => this.#checkDrained());
    if (settings.idleTimeoutMs > 0) {
      this.#heartbeatTimer = setInterval(() => this.#heartbeat(), settings.heartbeatIntervalMs);
      // The socket keeps the event loop alive while it is open; the heartbeat timer must not on its own.
      this.#heartbeatTimer.unref();
    }
  }

  get bufferedBytes(): number {
    if (this.#state === 'closed' && this.#outgoingBytes === 0) return 0;
    return this.#outgoingBytes + (this.#socket.destroyed ? 0 : this.#socket.writableLength);
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
    return this.#drained.wait();
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
      // Frames sent before close() go first, then the notice, then our FIN; we keep reading until the peer's FIN.
      this.#flush();
      const socket = this.#socket;
      if (!socket.destroyed && !socket.writableEnded) {
        socket.end(
          noticeRecord(closeWord, { code, message: options.message ?? 'the peer closed the connection' }),
        );
      }
      this.#closeTimer = setTimeout(() => {
        this.#end({
          code: 'timeout',
          message: `expected the peer to finish closing within ${this.#settings.closeTimeoutMs} ms, but it did not`,
          remote: false,
        });
        reset(socket);
      }, this.#settings.closeTimeoutMs);
      this.#closeTimer.unref();
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
    this.#goAway({ code: 'aborted', message: `the peer aborted the connection (${describeError(error)})` });
  }

  // ——— sending ———

  /** Writes the frames queued this turn: small ones copied into one buffer, large ones as their own chunks. */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const frames = this.#outgoing;
    if (frames.length === 0) return;
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return;
    this.#sentSinceTick = true;
    let copiedBytes = 0;
    for (const frame of frames)
      copiedBytes += 4 + (frame.byteLength >= copyLimitBytes ? 0 : frame.byteLength);
    // Not zero-filled (every byte is written below); small sizes come from Node's buffer pool.
    const buffer = Buffer.allocUnsafe(copiedBytes);
    let position = 0;
    let written = 0;
    const many = frames.length > 1;
    if (many) socket.cork();
    for (const frame of frames) {
      buffer.writeUInt32BE(frame.byteLength, position);
      position += 4;
      if (frame.byteLength < copyLimitBytes) {
        buffer.set(frame, position);
        position += frame.byteLength;
      } else {
        socket.write(buffer.subarray(written, position));
        socket.write(frame);
        written = position;
      }
    }
    if (written < position) socket.write(buffer.subarray(written, position), this.#afterWrite);
    else socket.write(new Uint8Array(0), this.#afterWrite);
    if (many) socket.uncork();
  };

  readonly #afterWrite = (): void => {
    this.#checkDrained();
  };

  #writeControl(record: Uint8Array): void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return;
    this.#sentSinceTick = true;
    socket.write(record);
  }

  #checkDrained(): void {
    if (this.bufferedBytes <= this.#settings.lowWaterMarkBytes) this.#drained.release();
  }

  // ——— receiving ———

  #receiveChunk(chunk: Buffer): void {
    this.#receivedSinceTick = true;
    this.#lastReceivedAt = performance.now();
    this.#decoder.push(chunk);
  }

  #receiveFrame(frame: Uint8Array): void {
    if (!this.#inbox.push(frame)) return;
    if (!this.#readingPaused && this.#inbox.bufferedBytes > this.#settings.receiveBufferBytes) {
      // Our receiver is behind: stop reading so TCP pushes back on the sender (see #heartbeat for liveness).
      this.#readingPaused = true;
      this.#socket.pause();
    }
  }

  #maybeResumeReading(): void {
    if (this.#readingPaused && this.#inbox.bufferedBytes <= this.#settings.receiveBufferBytes / 2) {
      this.#readingPaused = false;
      this.#lastReceivedAt = performance.now();
      this.#socket.resume();
    }
  }

  #receiveNotice(kind: 'close' | 'abort', notice: Notice): void {
    if (kind === 'close') {
      // The FIN follows; the reason is settled then, after the frames that came before it.
      this.#peerNotice = notice;
      return;
    }
    const reason: CloseReason = { code: notice.code, message: notice.message, remote: true };
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    this.#finish(reason);
    this.#inbox.abort(this.#reason ?? reason);
    this.#socket.destroy();
  }

  #protocolViolation(message: string): void {
    if (this.#state === 'closed') return;
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    // The frames that arrived intact before the violation are still delivered.
    this.#end({ code: 'protocol', message, remote: true });
    this.#goAway({ code: 'protocol', message: `the peer broke the framing rules: ${message}` });
  }

  // ——— liveness ———

  /**
   * Runs every `heartbeatIntervalMs`. Only what we receive proves the peer alive (a write to a dead peer still
   * succeeds until the kernel's buffer fills). When we sent nothing since the last tick we send 4 bytes: a ping
   * ("answer me") when we heard nothing, else a pong, so a peer that only receives hears from us too.
   */
  #heartbeat(): void {
    if (this.#state !== 'open') return;
    const now = performance.now();
    if (this.#readingPaused) {
      // Not reading is our receiver's doing, not the peer's: do not count it, and tell the peer we are alive.
      this.#lastReceivedAt = now;
      this.#writeControl(pong);
    } else if (now - this.#lastReceivedAt >= this.#settings.idleTimeoutMs) {
      this.#end({
        code: 'timeout',
        message: `expected to hear from the peer at least every ${this.#settings.idleTimeoutMs} ms, but it went silent (heartbeats unanswered)`,
        remote: true,
      });
      reset(this.#socket);
      return;
    } else if (!this.#sentSinceTick) {
      this.#writeControl(this.#receivedSinceTick ? pong : ping);
    }
    this.#sentSinceTick = false;
    this.#receivedSinceTick = false;
  }

  // ——— ending ———

  /** The peer sent its FIN: everything it sent has arrived. */
  #peerEnded(): void {
    if (this.#state === 'open') {
      const notice = this.#peerNotice;
      this.#end({
        code: notice?.code ?? 'normal',
        message: notice?.message ?? 'the peer closed the connection',
        remote: true,
      });
      // Answer with our own FIN after what we had sent (the peer reads until then).
      this.#flush();
      if (!this.#socket.writableEnded) this.#socket.end();
    } else if (this.#state === 'closing') {
      this.#end(this.#localCloseReason!);
    }
  }

  #socketFailed(error: Error): void {
    this.#end({
      code: 'error',
      message: `the connection failed (${describeError(error)})`,
      remote: true,
      error,
    });
  }

  #socketClosed(): void {
    this.#end({ code: 'error', message: 'the connection closed without a close handshake', remote: true });
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#closeTimer);
    clearTimeout(this.#lingerTimer);
    this.#outgoing = [];
    this.#outgoingBytes = 0;
  }

  /** Settles the connection with `reason` (unless settled) and lets the receiver see it after the frames so far. */
  #end(reason: CloseReason): void {
    if (this.#state === 'closed') return;
    this.#finish(reason);
    this.#inbox.end(reason);
  }

  /**
   * Leaves without a graceful close, telling the peer why when that costs no waiting: an abort notice and our FIN
   * when nothing is queued in the socket, a reset otherwise (a queue of megabytes must not delay an abort).
   */
  #goAway(notice: Notice): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    if (socket.writableLength === 0 && !socket.writableEnded) {
      socket.end(noticeRecord(abortWord, notice));
      // The peer destroys its end when it reads the notice; do not linger if it never does.
      this.#lingerTimer = setTimeout(() => reset(socket), this.#settings.closeTimeoutMs);
      this.#lingerTimer.unref();
    } else {
      reset(socket);
    }
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
