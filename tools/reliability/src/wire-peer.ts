import { Codec } from '@msc/serialization';
import type { CloseReason, Connection } from '@msc/transport';

/**
 * A capability or stream descriptor placed inside a payload by a hand-written message. The session's
 * codec writes such values as references; a {@link WirePeer} writes whatever descriptor it is given,
 * well-formed or not, which is how the fuzzer forges ids.
 */
export class WireReference {
  /** The descriptor as it goes on the wire, e.g. `[0, exportId]` or `[3, streamId, isBytes, receiverGets]`. */
  readonly descriptor: unknown;
  /** @param descriptor any encodable value */
  constructor(descriptor: unknown) {
    this.descriptor = descriptor;
  }
}

/** Message type numbers of the session protocol (see `@msc/session`'s protocol.ts; kept here on purpose, as a peer written from the spec would). */
export const Wire = {
  Authenticate: 0,
  Configure: 1,
  Abort: 2,
  Call: 3,
  Return: 4,
  Finish: 5,
  Release: 6,
  DisembargoRequest: 7,
  DisembargoReply: 8,
  StreamItems: 9,
  StreamCredit: 10,
  StreamEnd: 11,
  StreamCancel: 12,
  Resolve: 13,
  StreamDelivered: 14,
} as const;

/** A codec that writes {@link WireReference}s as references and reads the peer's references back as them. */
export function wireCodec(): Codec {
  return new Codec({
    // Generous limits: the hostile side must be able to write what the session will refuse.
    limits: { maxDepth: 100_000, maxFrameBytes: 256 * 1024 * 1024, maxCollectionLength: 2 ** 30 - 1 },
    hooks: {
      isReference: (value) => value instanceof WireReference,
      encodeReference: (value) => (value as WireReference).descriptor,
      decodeReference: (descriptor) => new WireReference(descriptor),
    },
  });
}

/** Fields of a hello a test may override (any value: the fuzzer sends wrong ones too). */
export interface HelloFields {
  readonly versions?: unknown;
  readonly nonce?: unknown;
  readonly scheme?: unknown;
  readonly addressBinding?: unknown;
}

/** The bytes of a hello frame (a CBOR map), as the session writes it. */
export function helloBytes(codec: Codec, hello: HelloFields = {}): Uint8Array {
  const value = {
    versions: 'versions' in hello ? hello.versions : [1],
    nonce: 'nonce' in hello ? hello.nonce : new Uint8Array(32).fill(7),
    scheme: 'scheme' in hello ? hello.scheme : 'none',
    addressBinding: 'addressBinding' in hello ? hello.addressBinding : true,
  };
  return codec.encode(value).slice();
}

/** Concatenates encoded messages into one frame: each a 4-byte big-endian length, then its bytes. */
export function frameOf(messages: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const message of messages) size += 4 + message.byteLength;
  const frame = new Uint8Array(size);
  const view = new DataView(frame.buffer);
  let offset = 0;
  for (const message of messages) {
    view.setUint32(offset, message.byteLength);
    frame.set(message, offset + 4);
    offset += 4 + message.byteLength;
  }
  return frame;
}

/**
 * A frame of `byteLength` bytes holding one message: a CBOR array of empty arrays filling the rest
 * (about one decoded array per byte: a 1 MiB frame decodes to tens of MiB of heap), which a session
 * must refuse before it decodes it.
 */
export function emptyArraysFrame(byteLength: number): Uint8Array {
  const frame = new Uint8Array(byteLength);
  const view = new DataView(frame.buffer);
  view.setUint32(0, frame.byteLength - 4); // the message's length prefix
  frame[4] = 0x9a; // a CBOR array with a 4-byte count...
  view.setUint32(5, frame.byteLength - 9);
  frame.fill(0x80, 9); // ...of empty arrays
  return frame;
}

/**
 * The messages of a frame after the hello: the frame itself when it is one bare message (its first
 * byte, a CBOR array or tag header, is 0x80 or more), else each length-prefixed message; a length
 * that runs past the frame ends the list (the session stops there too).
 */
export function messagesOf(frame: Uint8Array): Uint8Array[] {
  if (frame.byteLength > 0 && frame[0]! >= 0x80) return [frame];
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const messages: Uint8Array[] = [];
  let offset = 0;
  while (offset + 4 <= frame.byteLength) {
    const length = view.getUint32(offset);
    if (length > frame.byteLength - offset - 4) break;
    messages.push(frame.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return messages;
}

/** Options of {@link WirePeer}. */
export interface WirePeerOptions {
  /** Whether the peer reads what the session sends (calls `start()`). Default true. */
  readonly read?: boolean;
}

/**
 * The far end of a session, driven by hand: it sends whatever bytes or messages a test builds, and
 * records what the session sends back. It owns its connection.
 */
export class WirePeer {
  /** The raw connection end this peer drives. */
  readonly connection: Connection;
  /** The codec messages are written with (and the session's messages read with). */
  readonly codec: Codec = wireCodec();
  /** Messages received from the session after its hello (undecodable ones as `undefined`). */
  readonly received: unknown[] = [];
  /** Frames received (the hello included). */
  framesReceived = 0;
  /** Bytes received (the hello included). */
  bytesReceived = 0;
  /** Set once the connection has closed. */
  closeReason: CloseReason | undefined;

  /**
   * @param connection a raw connection end whose other end a session owns
   * @param options see {@link WirePeerOptions}
   */
  constructor(connection: Connection, options: WirePeerOptions = {}) {
    this.connection = connection;
    if (options.read ?? true) this.startReading();
  }

  /** Starts reading (once). */
  startReading(): void {
    this.connection.start({
      frame: (frame) => this.#receive(frame),
      closed: (reason) => {
        this.closeReason = reason;
      },
    });
  }

  /** Encodes one message with {@link WirePeer.codec} (a copy that owns its buffer). */
  encode(message: unknown): Uint8Array {
    return this.codec.encode(message).slice();
  }

  /** Sends raw bytes as one frame; false when the connection refused it (closed, too large). */
  sendRaw(frame: Uint8Array): boolean {
    try {
      this.connection.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends a hello (valid unless fields are overridden). */
  sendHello(hello: HelloFields = {}): boolean {
    return this.sendRaw(helloBytes(this.codec, hello));
  }

  /** Sends messages as one frame. */
  send(...messages: unknown[]): boolean {
    return this.sendRaw(frameOf(messages.map((message) => this.encode(message))));
  }

  /** Sends one message as a bare frame (no length prefix), the form a session uses for a single message. */
  sendBare(message: unknown): boolean {
    return this.sendRaw(this.encode(message));
  }

  /** Sends a valid hello (with `hello`'s fields), then a `Configure` offering export 0 as this side's root. */
  handshake(hello: HelloFields = {}): void {
    this.sendHello(hello);
    this.send([Wire.Configure, [0, 0]]);
  }

  /** The received messages of type `type`. */
  messagesOfType(type: number): unknown[][] {
    return this.received.filter(
      (message): message is unknown[] => Array.isArray(message) && message[0] === type,
    );
  }

  #receive(frame: Uint8Array): void {
    this.framesReceived++;
    this.bytesReceived += frame.byteLength;
    if (this.framesReceived === 1) return; // the session's hello
    for (const bytes of messagesOf(frame)) {
      try {
        this.received.push(this.codec.decode(bytes));
      } catch {
        this.received.push(undefined);
      }
    }
  }
}
