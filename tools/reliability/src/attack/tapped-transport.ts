import type {
  CloseOptions,
  Connection,
  DialOptions,
  FrameReceiver,
  Listener,
  ListenOptions,
  Transport,
} from '@msc/transport';
import { AbortableTransport } from '../soak/abortable-transport.ts';
import { wireCodec } from '../wire-peer.ts';

/** The kind byte of the `Proof` frame a tap looks for (docs/resumption.md#wire, as a peer written from the spec would). */
const proofKind = 0xfa;
/** A listener's resume offer in its hello (docs/resumption.md#secret): its 32-byte half, the 16-byte resume id. */
const listenerOfferBytes = 32 + 16;
/** A dialer's `Proof` frame: the kind, the 32-byte proof, the 8-byte received count. */
const proofFrameBytes = 1 + 32 + 8;

/**
 * A dialing transport for an attack's own honest sessions that reads over their shoulder: it learns the
 * resume id the listener's hello offers (after its half of the secret) and keeps a copy of every `Proof` frame the
 * session sends when it resumes, as an eavesdropper on an unencrypted connection would (the threat
 * docs/resumption.md names). `cut()` drops every open connection without a goodbye (a pulled cable),
 * and `blocked` makes every dial fail, so that a cut session stays parked on the listener.
 *
 * The cutting is an {@link AbortableTransport}'s: it dials through a transport that taps each new
 * connection, so the connections it remembers (and cuts) are the tapped ones.
 */
export class TappedTransport implements Transport {
  readonly #abortable: AbortableTransport;
  /** The last resume id a listener sent on a connection of this transport. */
  resumeId: Uint8Array | undefined;
  /** Every `Proof` frame sent on a connection of this transport, in order. */
  readonly proofs: Uint8Array[] = [];
  /** While true, `dial` fails at once. */
  blocked = false;

  constructor(inner: Transport) {
    const tapping: Transport = {
      name: inner.name,
      dial: async (address, options) => this.#tap(await inner.dial(address, options)),
      listen: (address, onConnection, options) => inner.listen(address, onConnection, options),
    };
    this.#abortable = new AbortableTransport(tapping, 'the attack pulled the plug');
  }

  get name(): string {
    return this.#abortable.name;
  }

  dial(address: string, options?: DialOptions): Promise<Connection> {
    if (this.blocked) return Promise.reject(new Error('the attack blocked this dial'));
    return this.#abortable.dial(address, options);
  }

  listen(
    address: string,
    onConnection: (connection: Connection) => void,
    options?: ListenOptions,
  ): Promise<Listener> {
    return this.#abortable.listen(address, onConnection, options);
  }

  /** Aborts every open connection of this transport; returns how many. */
  cut(): number {
    return this.#abortable.abort();
  }

  /** `connection`, with its received and sent frames looked at on the way. */
  #tap(connection: Connection): Connection {
    // The first frame each way is a hello. On a resume connection (the dialer's hello names a
    // session) the listener's hello offers an id of the short-lived session it hands over: skipped.
    let firstSent = true;
    let firstReceived = true;
    let resuming = false;
    const readFrame = (frame: Uint8Array) => {
      if (!firstReceived) return;
      firstReceived = false;
      const offer = resumeField(frame);
      if (!resuming && offer?.byteLength === listenerOfferBytes) this.resumeId = offer.slice(32);
    };
    return {
      get localAddress() {
        return connection.localAddress;
      },
      get remoteAddress() {
        return connection.remoteAddress;
      },
      get addressesObservable() {
        return connection.addressesObservable ?? true;
      },
      get bufferedBytes() {
        return connection.bufferedBytes;
      },
      get closed() {
        return connection.closed;
      },
      get maxFrameBytes() {
        return connection.maxFrameBytes;
      },
      setMaxFrameBytes: (bytes: number) => connection.setMaxFrameBytes(bytes),
      start: (receiver: FrameReceiver) =>
        connection.start({
          frame: (frame) => {
            readFrame(frame);
            receiver.frame(frame);
          },
          closed: (reason) => receiver.closed(reason),
        }),
      send: (frame: Uint8Array) => {
        if (firstSent) {
          firstSent = false;
          resuming = resumeField(frame)?.byteLength === 16;
        }
        if (frame.byteLength === proofFrameBytes && frame[0] === proofKind) this.proofs.push(frame.slice());
        connection.send(frame);
      },
      whenDrained: () => connection.whenDrained(),
      close: (options?: CloseOptions) => connection.close(options),
      abort: (error?: unknown) => connection.abort(error),
    };
  }
}

/** The `resume` field of a hello, if `frame` is one and has it. */
function resumeField(frame: Uint8Array): Uint8Array | undefined {
  try {
    const resume = (wireCodec().decode(frame) as { resume?: unknown } | null)?.resume;
    return resume instanceof Uint8Array ? resume : undefined;
  } catch {
    return undefined;
  }
}
