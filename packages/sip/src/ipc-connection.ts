import type { CloseCode, Connection } from '@msc/transport';
import {
  type ConnectionDriver,
  type ConnectionOptions,
  DrivenConnection,
  type DriverEvents,
  describeError,
  type InBandControlKind,
  messageConnectionSettings,
  receiveInBandControl,
} from '@msc/transport/kit';
import type { IpcChannelLike } from './ipc-channel-like.ts';

/**
 * Options of {@link ipcConnection}: the kit's connection options. Addresses default to `ipc:local#<n>` and
 * `ipc:remote#<n>`; both sides should agree on `maxFrameBytes`.
 */
export type IpcConnectionOptions = ConnectionOptions;

/**
 * What the connection sends besides frames (bare `Uint8Array`s): the kit's in-band lifecycle messages (see
 * {@link InBandControlKind}), tagged `mscIpc` so other users of the same channel can tell them apart.
 */
interface Control {
  readonly mscIpc: InBandControlKind;
  readonly code?: CloseCode;
  readonly message?: string;
}

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

function ignoreError(): void {}

/**
 * The IPC medium of a connection: frames are bare `Uint8Array` messages, close and abort {@link Control} messages;
 * `heldBytes` counts what was handed to the channel and not yet written.
 */
class IpcMedium implements ConnectionDriver {
  readonly #channel: IpcChannelLike;
  readonly #events: DriverEvents;
  /** Bytes handed to `channel.send()` whose write has not completed: this side's `bufferedBytes`. */
  #unwrittenBytes = 0;
  #detached = false;
  readonly #onMessage = (value: unknown): void => this.#receive(value);
  readonly #onDisconnect = (): void => this.#channelClosed();

  constructor(channel: IpcChannelLike, events: DriverEvents) {
    this.#channel = channel;
    this.#events = events;
    // Subscribe at once: Node drops IPC messages that arrive while nobody listens, and frames that arrive before
    // start() must be buffered.
    channel.on('message', this.#onMessage);
    channel.on('disconnect', this.#onDisconnect);
    if (channel.connected === false || typeof channel.send !== 'function') {
      queueMicrotask(() => this.#channelClosed());
    }
  }

  get heldBytes(): number {
    return this.#unwrittenBytes;
  }

  writeFrames(frames: readonly Uint8Array[]): void {
    for (const frame of frames) {
      const bytes = frame.byteLength;
      this.#unwrittenBytes += bytes;
      // The channel serializes (copies) the frame synchronously, so the caller's buffer is not kept.
      this.#post(frame, (error) => {
        this.#unwrittenBytes -= bytes;
        if (error !== null) this.#channelFailed(error);
        this.#events.written();
      });
    }
  }

  sendClose(code: CloseCode, message: string): void {
    this.#post({ mscIpc: 'close', code, message });
  }

  answerClose(): void {
    // The answer follows everything we sent, so the closer receives all of it before it is closed.
    this.#post({ mscIpc: 'close-reply' });
  }

  sendAbort(_code: CloseCode, message: string): void {
    this.#post({ mscIpc: 'abort', message });
  }

  reset(): void {
    // The connection does not own the channel: there is nothing to tear down but our listeners.
    this.detach();
  }

  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#channel.off('message', this.#onMessage);
    this.#channel.off('disconnect', this.#onDisconnect);
  }

  #receive(data: unknown): void {
    if (data instanceof Uint8Array) {
      this.#events.frame(data);
      return;
    }
    if (!isControl(data)) {
      if (looksLikeJsonBytes(data)) {
        this.#events.violation(
          "expected Uint8Array frames, but got a plain object: the channel must use serialization 'advanced'",
        );
      }
      // Anything else belongs to another user of the channel (for example the SIP launcher).
      return;
    }
    const { code, message } = data as { code?: unknown; message?: unknown };
    if (!receiveInBandControl(this.#events, data.mscIpc, code, message)) {
      this.#events.violation(`expected a known control message, but got "${String(data.mscIpc)}"`);
    }
  }

  /** The channel closed under us: the peer process exited, or someone disconnected the channel. */
  #channelClosed(): void {
    // Ignored when the connection had already ended; what arrived before is still delivered.
    this.#events.ended({
      code: 'error',
      message: 'the IPC channel closed without the connection being closed (the peer process went away)',
      remote: true,
    });
    this.detach();
  }

  #channelFailed(error: Error): void {
    this.#events.ended({
      code: 'error',
      message: `the IPC channel failed (${describeError(error)})`,
      remote: true,
      error,
    });
  }

  /** Sends on the channel; sending still works after the connection closed (an abort, a close answer). */
  #post(message: unknown, callback: (error: Error | null) => void = ignoreError): void {
    const send = this.#channel.send;
    if (typeof send !== 'function' || this.#channel.connected === false) {
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
}

/** A connection over a Node IPC channel: the kit's lifecycle over an {@link IpcMedium}. */
class IpcConnection extends DrivenConnection<IpcMedium> {
  constructor(channel: IpcChannelLike, options: IpcConnectionOptions) {
    const number = ++connections;
    super(
      messageConnectionSettings(options, { local: `ipc:local#${number}`, remote: `ipc:remote#${number}` }),
      (events) => new IpcMedium(channel, events),
    );
  }
}

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
