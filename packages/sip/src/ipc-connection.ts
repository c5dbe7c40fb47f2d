import {
  type CloseOptions,
  type CloseReason,
  type Connection,
  ConnectionClosedError,
  type DeliveryScheduler,
  DrainWaiters,
  FrameInbox,
  type FrameReceiver,
  FrameTooLargeError,
} from '@msc/transport';
import { describeError } from './describe-error.ts';
import type { IpcChannelLike } from './ipc-channel-like.ts';

/** Options of {@link ipcConnection}. */
export interface IpcConnectionOptions {
  /** This side's address. Default `ipc:local#<n>`. */
  localAddress?: string;
  /** The peer's address. Default `ipc:remote#<n>`. */
  remoteAddress?: string;
  /**
   * The largest frame `send()` accepts, in bytes; a larger incoming frame is a protocol violation that aborts the
   * connection. Default 16 MiB. Both sides should agree.
   */
  maxFrameBytes?: number;
  /** `whenDrained()` resolves once `bufferedBytes` is at or below this many bytes. Default 64 KiB. */
  lowWaterMarkBytes?: number;
  /**
   * How long a graceful close waits for the peer's answer before giving up with code `timeout`, in milliseconds.
   * Default 5 000.
   */
  closeTimeoutMs?: number;
  /** When deliveries to the receiver run. Default: `scheduleDelivery` of @msc/transport. */
  scheduler?: DeliveryScheduler;
}

/**
 * The control messages of the IPC connection protocol. Frames travel as bare `Uint8Array`s; everything else the
 * connection sends is one of these (tagged `mscIpc`, so other users of the same channel can tell them apart).
 * - `close` (after the closer's last frame): the receiver is closed (`remote: true`) and answers `close-reply`.
 * - `close-reply` (after the answerer's last frame): the closer is closed.
 * - `abort`: the sender dropped everything; the receiver drops what it has not delivered.
 */
type Control =
  | { readonly mscIpc: 'close'; readonly code: CloseReason['code']; readonly message: string }
  | { readonly mscIpc: 'close-reply' }
  | { readonly mscIpc: 'abort'; readonly message: string };

const defaultMaxFrameBytes = 16 * 1024 * 1024;
const defaultLowWaterMarkBytes = 64 * 1024;
const resolved = Promise.resolve();
let connections = 0;

function isControl(value: unknown): value is Control {
  return (
    typeof value === 'object' && value !== null && typeof (value as { mscIpc?: unknown }).mscIpc === 'string'
  );
}

/** What a `Uint8Array` turns into under the default JSON serialization: an object with numeric keys. */
function looksLikeJsonBytes(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '0' in value;
}

class IpcConnection implements Connection {
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly maxFrameBytes: number;
  readonly closed: Promise<CloseReason>;
  readonly #channel: IpcChannelLike;
  readonly #lowWaterMarkBytes: number;
  readonly #closeTimeoutMs: number;
  readonly #inbox: FrameInbox;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #localCloseReason: CloseReason | undefined;
  #reason: CloseReason | undefined;
  #resolveClosed!: (reason: CloseReason) => void;
  /** Bytes handed to `channel.send()` whose write has not completed: this side's `bufferedBytes`. */
  #unwrittenBytes = 0;
  readonly #drained = new DrainWaiters();
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #detached = false;
  readonly #onMessage = (value: unknown): void => this.#receive(value);
  readonly #onDisconnect = (): void => this.#channelClosed();

  constructor(channel: IpcChannelLike, options: IpcConnectionOptions) {
    const number = ++connections;
    this.#channel = channel;
    this.localAddress = options.localAddress ?? `ipc:local#${number}`;
    this.remoteAddress = options.remoteAddress ?? `ipc:remote#${number}`;
    this.maxFrameBytes = options.maxFrameBytes ?? defaultMaxFrameBytes;
    this.#lowWaterMarkBytes = options.lowWaterMarkBytes ?? defaultLowWaterMarkBytes;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#inbox = new FrameInbox(options.scheduler === undefined ? {} : { scheduler: options.scheduler });
    // Subscribe at once: Node drops IPC messages that arrive while nobody listens, and frames that arrive before
    // start() must be buffered.
    channel.on('message', this.#onMessage);
    channel.on('disconnect', this.#onDisconnect);
    if (channel.connected === false || typeof channel.send !== 'function') {
      queueMicrotask(() => this.#channelClosed());
    }
  }

  get bufferedBytes(): number {
    return this.#unwrittenBytes;
  }

  start(receiver: FrameReceiver): void {
    this.#inbox.start(receiver);
  }

  send(frame: Uint8Array): void {
    if (this.#state !== 'open') throw new ConnectionClosedError(this.#reason);
    if (frame.byteLength > this.maxFrameBytes)
      throw new FrameTooLargeError(frame.byteLength, this.maxFrameBytes);
    const bytes = frame.byteLength;
    this.#unwrittenBytes += bytes;
    // The channel serializes (copies) the frame synchronously, so the caller's buffer is not kept.
    this.#post(frame, (error) => {
      this.#unwrittenBytes -= bytes;
      if (error !== null && this.#state !== 'closed') this.#channelFailed(error);
      this.#checkDrained();
    });
  }

  whenDrained(): Promise<void> {
    if (this.#reason !== undefined || this.#unwrittenBytes <= this.#lowWaterMarkBytes) return resolved;
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
      this.#post({ mscIpc: 'close', code, message: options.message ?? 'the peer closed the connection' });
      this.#closeTimer = setTimeout(() => {
        const reason: CloseReason = {
          code: 'timeout',
          message: `expected the peer to confirm the close within ${this.#closeTimeoutMs} ms, but it did not`,
          remote: false,
        };
        this.#finish(reason);
        this.#inbox.end(reason);
      }, this.#closeTimeoutMs);
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
    // Tell the peer first: after #finish the channel listeners are gone, but sending still works.
    this.#post({ mscIpc: 'abort', message: `the peer aborted the connection (${describeError(error)})` });
    this.#finish(reason);
    this.#inbox.abort(reason);
  }

  #receive(data: unknown): void {
    if (data instanceof Uint8Array) {
      if (data.byteLength > this.maxFrameBytes) {
        this.#protocolViolation(
          `expected frames of at most ${this.maxFrameBytes} bytes, but the peer sent ${data.byteLength} bytes`,
        );
        return;
      }
      this.#inbox.push(data);
      return;
    }
    if (!isControl(data)) {
      if (looksLikeJsonBytes(data)) {
        this.#protocolViolation(
          "expected Uint8Array frames, but got a plain object: the channel must use serialization 'advanced'",
        );
      }
      // Anything else belongs to another user of the channel (for example the SIP launcher).
      return;
    }
    switch (data.mscIpc) {
      case 'close':
        if (this.#state === 'open') {
          const reason: CloseReason = { code: data.code, message: data.message, remote: true };
          // The answer follows everything we sent, so the closer receives all of it before it is closed.
          this.#post({ mscIpc: 'close-reply' });
          this.#finish(reason);
          this.#inbox.end(reason);
        } else if (this.#state === 'closing') {
          this.#post({ mscIpc: 'close-reply' });
        }
        return;
      case 'close-reply':
        if (this.#state === 'closing') {
          const reason = this.#localCloseReason!;
          this.#finish(reason);
          this.#inbox.end(reason);
        }
        return;
      case 'abort': {
        const reason: CloseReason = { code: 'aborted', message: data.message, remote: true };
        this.#finish(reason);
        this.#inbox.abort(this.#reason ?? reason);
        return;
      }
      default:
        this.#protocolViolation(
          `expected a known control message, but got "${String((data as Control).mscIpc)}"`,
        );
    }
  }

  /** The channel closed under us: the peer process exited, or someone disconnected the channel. */
  #channelClosed(): void {
    if (this.#reason !== undefined) {
      this.#detach();
      return;
    }
    const reason: CloseReason = {
      code: 'error',
      message: 'the IPC channel closed without the connection being closed (the peer process went away)',
      remote: true,
    };
    this.#finish(reason);
    this.#inbox.end(reason); // what arrived before is still delivered
  }

  #channelFailed(error: Error): void {
    const reason: CloseReason = {
      code: 'error',
      message: `the IPC channel failed (${describeError(error)})`,
      remote: true,
      error,
    };
    this.#finish(reason);
    this.#inbox.end(reason);
  }

  #protocolViolation(message: string): void {
    if (this.#state === 'closed') return;
    const reason: CloseReason = { code: 'protocol', message, remote: true };
    this.#post({ mscIpc: 'abort', message: `the peer found a protocol violation: ${message}` });
    this.#finish(reason);
    this.#inbox.abort(reason);
  }

  #post(message: unknown, callback: (error: Error | null) => void = ignoreError): void {
    const send = this.#channel.send;
    if (this.#detached || typeof send !== 'function' || this.#channel.connected === false) {
      callback(null);
      return;
    }
    try {
      send.call(this.#channel, message, callback);
    } catch (error) {
      // Node reports a closed channel through the callback; anything thrown is a failure of the medium.
      queueMicrotask(() => callback(error instanceof Error ? error : new Error(String(error))));
    }
  }

  #checkDrained(): void {
    if (this.#unwrittenBytes <= this.#lowWaterMarkBytes) this.#drained.release();
  }

  #detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#channel.off('message', this.#onMessage);
    this.#channel.off('disconnect', this.#onDisconnect);
  }

  #finish(reason: CloseReason): void {
    if (this.#reason !== undefined) return;
    this.#state = 'closed';
    this.#reason = reason;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#detach();
    this.#resolveClosed(reason);
    this.#drained.release();
  }
}

function ignore(): void {}
function ignoreError(): void {}

/**
 * A {@link Connection} over a Node IPC channel: `process` in a child started with an IPC channel, or the parent's
 * `ChildProcess`. The other side must wrap its end with `ipcConnection` too, and both ends must use
 * `serialization: 'advanced'` (so frames arrive as `Uint8Array`s).
 *
 * - Frames are bare `Uint8Array` messages; close and abort travel in-band as messages tagged `mscIpc`, so the peer
 *   learns which one happened. Other messages on the channel are ignored: the channel may be shared (the SIP
 *   launcher sends its own, tagged `mscSip`).
 * - The channel closing (`'disconnect'`: the peer process exited or was killed) shows up as `closed()` with code
 *   `error` and `remote: true`, after the frames that arrived before it.
 * - `bufferedBytes` counts bytes handed to the channel whose write has not completed yet (the channel's own
 *   backlog); `whenDrained()` resolves once it is at or below `lowWaterMarkBytes`.
 * - The connection does not own the channel: closing it detaches its listeners but leaves the channel open (the
 *   owner disconnects it, or the process ends).
 *
 * @param channel `process` (in a child) or a `ChildProcess` (in the parent), created with an IPC channel
 * @param options addresses, limits and timeouts; see {@link IpcConnectionOptions}
 */
export function ipcConnection(channel: IpcChannelLike, options: IpcConnectionOptions = {}): Connection {
  return new IpcConnection(channel, options);
}
