/**
 * The wire format of the identity handshake: four message kinds in a small versioned binary
 * layout. Every message starts with two bytes, the format version ({@link HANDSHAKE_FORMAT_VERSION})
 * and the kind; multi-byte integers are big-endian; there is nothing optional and nothing after the
 * last field, so each message has exactly one valid encoding and anything else is refused.
 *
 * ```
 * introduction    dialer → listener   01 01 | public key (32) | name length (1) | name (UTF-8)
 * listener-proof  listener → dialer   01 02 | public key (32) | name length (1) | name | signature (64)
 * dialer-proof    dialer → listener   01 03 | signature (64)
 * verdict         both ways           01 04 | status (1: 0 admitted, 1 refused) | reason length (2) | reason
 * ```
 *
 * A name length of 0 means "no display name". An admitted verdict carries no reason.
 */
import { AuthenticationError } from '@msc/session';
import { concatBytes, utf8Decode, utf8Encode } from './bytes.ts';
import { MAX_DISPLAY_NAME_BYTES, validateDisplayName } from './display-name.ts';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './public-identity.ts';

/** The version byte every handshake message starts with. */
export const HANDSHAKE_FORMAT_VERSION = 1;
/** The longest refusal reason carried by a verdict, in UTF-8 bytes; longer reasons are cut. */
export const MAX_REASON_BYTES = 1024;

const kindCodes = { introduction: 1, 'listener-proof': 2, 'dialer-proof': 3, verdict: 4 } as const;

/** The kinds of handshake message, in the order they are sent. */
export type HandshakeMessageKind = keyof typeof kindCodes;

/** The dialer's first message: who it claims to be (proven later by its dialer-proof). */
export interface Introduction {
  readonly kind: 'introduction';
  readonly publicKey: Uint8Array;
  readonly name: string | undefined;
}
/** The listener's answer: who it is, with its signature over the handshake digest. */
export interface ListenerProof {
  readonly kind: 'listener-proof';
  readonly publicKey: Uint8Array;
  readonly name: string | undefined;
  readonly signature: Uint8Array;
}
/** The dialer's signature over the same digest. */
export interface DialerProof {
  readonly kind: 'dialer-proof';
  readonly signature: Uint8Array;
}
/** An admission decision about the receiver of the message. */
export interface Verdict {
  readonly kind: 'verdict';
  readonly admitted: boolean;
  /** Why the receiver was refused; empty when admitted. */
  readonly reason: string;
}

/** Any handshake message. */
export type HandshakeMessage = Introduction | ListenerProof | DialerProof | Verdict;

/** Encodes `message` in the layout documented at the top of this file. */
export function encodeHandshakeMessage(message: HandshakeMessage): Uint8Array {
  const header = Uint8Array.of(HANDSHAKE_FORMAT_VERSION, kindCodes[message.kind]);
  switch (message.kind) {
    case 'introduction':
      return concatBytes(header, message.publicKey, encodeName(message.name));
    case 'listener-proof':
      return concatBytes(header, message.publicKey, encodeName(message.name), message.signature);
    case 'dialer-proof':
      return concatBytes(header, message.signature);
    case 'verdict': {
      const reason = message.admitted ? new Uint8Array(0) : truncateUtf8(message.reason, MAX_REASON_BYTES);
      const length = Uint8Array.of(reason.length >>> 8, reason.length & 0xff);
      return concatBytes(header, Uint8Array.of(message.admitted ? 0 : 1), length, reason);
    }
  }
}

/**
 * Decodes `bytes`, which must be a message of kind `expected` (the protocol has exactly one valid
 * next message at each step, so anything else, including one of our own messages reflected back,
 * is a protocol error).
 *
 * @throws {AuthenticationError} code `protocol` naming what was expected and what came.
 */
export function decodeHandshakeMessage<Kind extends HandshakeMessageKind>(
  bytes: Uint8Array,
  expected: Kind,
): Extract<HandshakeMessage, { kind: Kind }> {
  if (!(bytes instanceof Uint8Array)) fail(expected, `expected bytes, got ${typeof bytes}`);
  if (bytes.length < 2) fail(expected, `expected at least 2 bytes, got ${bytes.length}`);
  if (bytes[0] !== HANDSHAKE_FORMAT_VERSION) {
    fail(expected, `expected format version ${HANDSHAKE_FORMAT_VERSION}, got ${bytes[0]}`);
  }
  const code = bytes[1];
  if (code !== kindCodes[expected]) {
    const came = Object.entries(kindCodes).find(([, value]) => value === code)?.[0];
    fail(
      expected,
      `expected a ${expected} message, got ${came === undefined ? `unknown kind ${code}` : `a ${came} message`}`,
    );
  }
  const reader = new Reader(bytes, 2, expected);
  let message: HandshakeMessage;
  switch (expected) {
    case 'introduction':
      message = {
        kind: 'introduction',
        publicKey: reader.take(PUBLIC_KEY_LENGTH, 'public key'),
        name: reader.name(),
      };
      break;
    case 'listener-proof':
      message = {
        kind: 'listener-proof',
        publicKey: reader.take(PUBLIC_KEY_LENGTH, 'public key'),
        name: reader.name(),
        signature: reader.take(SIGNATURE_LENGTH, 'signature'),
      };
      break;
    case 'dialer-proof':
      message = { kind: 'dialer-proof', signature: reader.take(SIGNATURE_LENGTH, 'signature') };
      break;
    default: {
      const status = reader.take(1, 'status')[0];
      if (status !== 0 && status !== 1)
        fail(expected, `expected status 0 (admitted) or 1 (refused), got ${status}`);
      const lengthBytes = reader.take(2, 'reason length');
      const length = (lengthBytes[0]! << 8) | lengthBytes[1]!;
      if (length > MAX_REASON_BYTES)
        fail(expected, `expected a reason of at most ${MAX_REASON_BYTES} bytes, got ${length}`);
      if (status === 0 && length !== 0)
        fail(expected, `expected no reason with an admitted verdict, got ${length} bytes`);
      const reason = reader.text(reader.take(length, 'reason'), 'reason');
      message = { kind: 'verdict', admitted: status === 0, reason };
    }
  }
  reader.end();
  return message as Extract<HandshakeMessage, { kind: Kind }>;
}

function encodeName(name: string | undefined): Uint8Array {
  const bytes = name === undefined ? new Uint8Array(0) : utf8Encode(name);
  // Names are validated when an identity is made; this guards the one-byte length all the same.
  if (bytes.length > MAX_DISPLAY_NAME_BYTES)
    throw new RangeError(`display name longer than ${MAX_DISPLAY_NAME_BYTES} bytes`);
  return concatBytes(Uint8Array.of(bytes.length), bytes);
}

/** The longest prefix of `text` that fits `limit` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, limit: number): Uint8Array {
  const bytes = utf8Encode(text);
  if (bytes.length <= limit) return bytes;
  let end = limit;
  // Step back over continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.slice(0, end);
}

function fail(kind: HandshakeMessageKind, detail: string): never {
  throw new AuthenticationError('protocol', `malformed identity handshake ${kind} message: ${detail}`);
}

/** Reads fields front to back and refuses to read past the end. */
class Reader {
  #offset: number;
  constructor(
    private readonly bytes: Uint8Array,
    offset: number,
    private readonly kind: HandshakeMessageKind,
  ) {
    this.#offset = offset;
  }

  take(length: number, field: string): Uint8Array {
    const available = this.bytes.length - this.#offset;
    if (available < length) fail(this.kind, `expected ${length} bytes of ${field}, got ${available}`);
    const slice = this.bytes.slice(this.#offset, this.#offset + length);
    this.#offset += length;
    return slice;
  }

  name(): string | undefined {
    const length = this.take(1, 'name length')[0]!;
    if (length > MAX_DISPLAY_NAME_BYTES) {
      fail(this.kind, `expected a display name of at most ${MAX_DISPLAY_NAME_BYTES} bytes, got ${length}`);
    }
    if (length === 0) return undefined;
    const name = this.text(this.take(length, 'name'), 'name');
    try {
      return validateDisplayName(name);
    } catch (error) {
      fail(this.kind, (error as Error).message);
    }
  }

  text(bytes: Uint8Array, field: string): string {
    try {
      return utf8Decode(bytes);
    } catch {
      fail(this.kind, `expected the ${field} in UTF-8, got invalid UTF-8`);
    }
  }

  end(): void {
    const extra = this.bytes.length - this.#offset;
    if (extra !== 0)
      fail(this.kind, `expected the message to end after ${this.#offset} bytes, got ${extra} more`);
  }
}
