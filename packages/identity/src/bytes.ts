// Small byte helpers shared by the identity code, browser and Node alike. Written here rather than
// taken from a library, because each library option adds bytes to the browser bundle for no gain
// (measured with esbuild --bundle --minify on this package's root entry, 26.3 kB / 10.7 kB gzip):
// - base32, base64url: @scure/base (audited, noble's sibling) is as strict (unpadded, non-zero
//   trailing bits refused) but its coder machinery adds 2.4 kB minified (0.85 kB gzip) for these ~40
//   lines. Node's built-in `Buffer` base64url exists only on Node, and `Uint8Array.prototype.toBase64`
//   not on the Node versions supported. test/bytes.test.ts checks both codecs against RFC 4648's
//   vectors and against `Buffer` on random inputs.
// - concatBytes, utf8Encode: @noble/hashes (already a dependency) has `concatBytes` and `utf8ToBytes`,
//   but they were not in the bundle yet and add 139 B minified (64 B gzip) of argument checks that
//   typed internal callers do not need.
// - utf8Decode must be strict (fatal), which no dependency offers; uint32 and lengthPrefixed are this
//   package's own handshake framing; bytesEqual is four lines that @noble/hashes does not have.

const encoder = new TextEncoder();
// `fatal: true` makes invalid UTF-8 throw instead of turning into U+FFFD, so a peer cannot smuggle
// bytes that two decoders would read differently.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The UTF-8 bytes of `text`. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes strict UTF-8; throws a `TypeError` on malformed input. */
export function utf8Decode(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

/** The concatenation of `parts` in order. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const result = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** A 4-byte big-endian encoding of an unsigned 32-bit integer. */
export function uint32(value: number): Uint8Array {
  const result = new Uint8Array(4);
  new DataView(result.buffer).setUint32(0, value >>> 0, false);
  return result;
}

/** `bytes` preceded by its length as a 4-byte big-endian integer (unambiguous concatenation). */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concatBytes(uint32(bytes.length), bytes);
}

/** Whether `left` and `right` hold the same bytes (not constant-time: use for public data only). */
export function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, without padding (no 0/1/8/9, so no O/0 or l/1 confusion). */
export function base32Encode(bytes: Uint8Array): string {
  let result = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      result += base32Alphabet[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) result += base32Alphabet[(buffer << (5 - bits)) & 31];
  return result;
}

/** base64url (RFC 4648 §5) without padding. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * Decodes unpadded base64url, or returns `undefined` when `text` is not the canonical encoding of
 * some bytes (wrong characters, impossible length, non-zero trailing bits).
 */
export function base64UrlDecode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const standard = text.replaceAll('-', '+').replaceAll('_', '/');
  let binary: string;
  try {
    binary = atob(standard + '='.repeat((4 - (standard.length % 4)) % 4));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  // Reject encodings with non-zero padding bits, so every key has exactly one text form.
  return base64UrlEncode(bytes) === text ? bytes : undefined;
}
