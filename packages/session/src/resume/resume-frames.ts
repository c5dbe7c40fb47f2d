import { concatBytes } from './concat-bytes.ts';

/**
 * The frames of a resumable connection (docs/resumption.md#wire). Once both hellos agreed on
 * resumption, every frame starts with one of these kind bytes, which no other frame can start with
 * (a session frame starts with a length prefix below 0x80 or a CBOR array or tag header, a hello
 * with a CBOR map header; 0xF8-0xFE are CBOR simple values and floats, never a whole message).
 *
 * - `Data`: `[0xFC][ack: u64][session frame]`, the next frame of the sender's sequence (sequence
 *   numbers are implicit: the n-th data frame a side sends is its frame n, counted from 0 at the
 *   agreement); `ack` is how many data frames the sender has received (cumulative, piggybacked).
 * - `Ack`: `[0xFD][ack: u64]`, a standalone acknowledgement (after `ackDelayMs` with nothing to send).
 * (0xFE is not used: the halves of the resume secret travel in the hellos, docs/resumption.md#secret;
 * a frame of that kind ends the session with `protocol`, as any unknown kind does.)
 *
 * On a new connection that resumes a session, after the two hellos:
 * - `Authenticate`: `[0xFB][bytes]`, one message of the authenticators' exchange over the new transcript.
 * - `Proof`: `[0xFA][proof: 32][received: u64]`, dialer → listener, once its authenticator is done.
 * - `Accepted`: `[0xF9][received: u64]`, listener → dialer: the session runs again over this connection.
 * - `Refused`: `[0xF8][reason: UTF-8]`, listener → dialer, then the listener closes the connection.
 */
export const ResumeFrame = {
  Refused: 0xf8,
  Accepted: 0xf9,
  Proof: 0xfa,
  Authenticate: 0xfb,
  Data: 0xfc,
  Ack: 0xfd,
} as const;

/** Bytes of a data frame's header (kind and acknowledgement). */
export const dataHeaderBytes = 9;
/** Bytes of the random half of the resume secret each side's hello offers. */
export const secretHalfBytes = 32;
/** Bytes of a resume id. */
export const resumeIdBytes = 16;
/** Bytes of a proof. */
export const proofBytes = 32;

/** Writes `value` (a whole number below 2^53) as 8 big-endian bytes at `offset`. */
export function writeCount(frame: Uint8Array, offset: number, value: number): void {
  const high = Math.floor(value / 0x100000000);
  const low = value >>> 0;
  frame[offset] = high >>> 24;
  frame[offset + 1] = (high >>> 16) & 0xff;
  frame[offset + 2] = (high >>> 8) & 0xff;
  frame[offset + 3] = high & 0xff;
  frame[offset + 4] = low >>> 24;
  frame[offset + 5] = (low >>> 16) & 0xff;
  frame[offset + 6] = (low >>> 8) & 0xff;
  frame[offset + 7] = low & 0xff;
}

/** Reads 8 big-endian bytes at `offset`; `-1` when the value is 2^53 or more (never valid). */
export function readCount(frame: Uint8Array, offset: number): number {
  const high =
    frame[offset]! * 0x1000000 +
    ((frame[offset + 1]! << 16) | (frame[offset + 2]! << 8) | frame[offset + 3]!);
  if (high >= 0x200000) return -1;
  const low =
    frame[offset + 4]! * 0x1000000 +
    ((frame[offset + 5]! << 16) | (frame[offset + 6]! << 8) | frame[offset + 7]!);
  return high * 0x100000000 + low;
}

/** A data frame carrying `frame` and the acknowledgement `ack` (the one copy per frame). */
export function dataFrame(frame: Uint8Array, ack: number): Uint8Array {
  const wrapped = new Uint8Array(dataHeaderBytes + frame.byteLength);
  wrapped[0] = ResumeFrame.Data;
  writeCount(wrapped, 1, ack);
  wrapped.set(frame, dataHeaderBytes);
  return wrapped;
}

/** A frame of `kind` followed by one count. */
export function countFrame(kind: number, count: number): Uint8Array {
  const frame = new Uint8Array(9);
  frame[0] = kind;
  writeCount(frame, 1, count);
  return frame;
}

/** A frame of `kind` followed by `parts`. */
export function bytesFrame(kind: number, ...parts: Uint8Array[]): Uint8Array {
  return concatBytes([Uint8Array.of(kind), ...parts]);
}
