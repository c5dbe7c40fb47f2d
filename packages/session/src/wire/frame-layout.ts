import { LimitViolation, ProtocolViolation } from './violations.ts';

/**
 * The frame layout (see protocol.ts, "Framing"): a frame is a sequence of messages, each a 4-byte
 * big-endian length and that many bytes of CBOR; a frame of one message may be just the message
 * (its first byte, a CBOR array or tag header, is at least 0x80, where a length prefix's is below).
 * {@link packFrame} writes it, {@link splitFrame} reads it; nothing else knows the layout.
 */

/** The most bytes V8 keeps a typed array's contents on its heap (`new Uint8Array(n)`, n at most this). */
const onHeapBytes = 64;

/** Where {@link splitFrame} delivers each message of a frame. */
export interface FrameReceiver {
  /** @internal One encoded message (a view into the frame or a copy of it, valid during the call). */
  receiveMessage_(bytes: Uint8Array): void;
  /** Whether to stop before the next message (the session ended while reading the frame). */
  readonly isTerminated: boolean;
}

/**
 * Delivers each message of a received frame, in order.
 *
 * @throws LimitViolation for a frame over `maxFrameBytes` (named `limitName` in the message); ProtocolViolation for a frame whose
 *   lengths do not add up; what `receiver.receiveMessage_` throws
 */
export function splitFrame(
  frame: Uint8Array,
  maxFrameBytes: number,
  limitName: string,
  receiver: FrameReceiver,
): void {
  // `length`, not `byteLength`: V8 (Node 20) compiles a typed array's `byteLength` and `byteOffset`
  // to an inline-cache call, its `length` to a field read.
  const frameLength = frame.length;
  if (frameLength > maxFrameBytes) {
    throw new LimitViolation(
      `a frame of ${frameLength} bytes is larger than the limit of ${maxFrameBytes} (${limitName})`,
      limitName,
    );
  }
  if (frameLength > 0 && frame[0]! >= 0x80) {
    receiver.receiveMessage_(frame);
    return;
  }
  // A small frame is copied from, not viewed: a view of a typed array of at most 64 bytes made on its
  // own (as packFrame's and a MessagePort's small frames are) first moves its bytes off V8's heap,
  // about a microsecond; copying a few bytes costs a tenth of that. A small view into a larger buffer
  // (a frame a socket read brought) is copied too: that costs what a view does, and telling the two
  // apart would read `byteOffset`, an inline-cache call.
  const copyOut = frameLength <= onHeapBytes;
  let offset = 0;
  while (offset < frameLength) {
    if (receiver.isTerminated) return;
    if (frameLength - offset < 4) throw new ProtocolViolation('a frame ends inside a message length');
    // A 4-byte big-endian length (the multiplication keeps it unsigned).
    const length =
      frame[offset]! * 0x1000000 +
      ((frame[offset + 1]! << 16) | (frame[offset + 2]! << 8) | frame[offset + 3]!);
    if (length > frameLength - offset - 4) throw new ProtocolViolation('a message runs past its frame');
    const bytes = copyOut
      ? frame.slice(offset + 4, offset + 4 + length)
      : frame.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    receiver.receiveMessage_(bytes);
  }
}

/**
 * Messages of at least this many bytes (bulk: a large byte array, a stream's data) travel in a frame
 * of their own: packing one with others would copy it whole, and a transport takes a large frame as
 * it is (TCP writes it beside its length prefix, a MessagePort moves its buffer).
 */
export const bulkMessageBytes = 32 * 1024;

/**
 * How many of `encoded[first..]` fit one frame of at most `limit` bytes (always at least one), up to
 * the first message without bytes (one in the value form, which travels in a values frame, or one in
 * pieces, which travels in a frame of its own). A bulk message (see {@link bulkMessageBytes}) goes alone.
 */
export function messagesPerFrame(
  encoded: readonly { readonly bytes: Uint8Array | undefined }[],
  first: number,
  limit: number,
): number {
  let size = 0;
  let end = first;
  while (end < encoded.length && encoded[end]!.bytes !== undefined) {
    const length = encoded[end]!.bytes!.length;
    if (length >= bulkMessageBytes) return end > first ? end - first : 1;
    const next = 4 + length;
    if (end > first && size + next > limit) break;
    size += next;
    end++;
  }
  return end - first;
}

/**
 * Packed frames of at most this many bytes are written into a shared pool buffer and handed out as
 * views of it. A typed array of more than 64 bytes made on its own takes its memory from outside V8's
 * heap, which costs a microsecond or more (about what the rest of a small call costs); a view into a
 * pool costs a twentieth of that. Larger frames are rare (only many small messages in one turn make
 * them) and get a buffer of their own.
 */
const pooledFrameBytes = 4096;
/** The pool's size: many small frames per allocation, and still little to keep alive for a view. */
const poolBytes = 16 * 1024;
/** Made by the first packed frame (a side that never packs one holds none). */
let pool: Uint8Array | undefined;
let poolUsed = 0;

/**
 * A place for a packed frame of `size` bytes. Ownership: a pooled place is never handed out twice
 * (the pool is only ever filled forward, and replaced when full) and, at most a quarter of the pool,
 * never spans its whole buffer, so a transport treats it as a view it must not move (it copies it, or
 * writes it out as it is); a place of its own spans its buffer, which the transport may move.
 */
function framePlace(size: number): Uint8Array {
  if (size > pooledFrameBytes) return new Uint8Array(size);
  if (pool === undefined || poolBytes - poolUsed < size) {
    pool = new Uint8Array(poolBytes);
    poolUsed = 0;
  }
  const place = pool.subarray(poolUsed, poolUsed + size);
  poolUsed += size;
  return place;
}

/**
 * The frame holding `encoded[first .. first + count)`. A single message is sent as itself (no copy
 * into a new frame) when its first byte allows (always, for what the codec writes); the frame then
 * owns its buffer as the codec's output does (`Codec.encode`: one that spans its `ArrayBuffer` is
 * the caller's, any other a view the codec never writes over, which a transport that moves buffers
 * copies). Several messages are copied into a new frame: a view into the frame pool when small (see
 * {@link framePlace}: never written over either), else a buffer of its own.
 */
export function packFrame(
  encoded: readonly { readonly bytes: Uint8Array | undefined }[],
  first: number,
  count: number,
): Uint8Array {
  if (count === 1 && encoded[first]!.bytes![0]! >= 0x80) return encoded[first]!.bytes!;
  let size = 0;
  for (let index = first; index < first + count; index++) size += 4 + encoded[index]!.bytes!.length;
  const frame = framePlace(size);
  let offset = 0;
  for (let index = first; index < first + count; index++) {
    const bytes = encoded[index]!.bytes!;
    const length = bytes.length;
    frame[offset] = length >>> 24;
    frame[offset + 1] = (length >>> 16) & 0xff;
    frame[offset + 2] = (length >>> 8) & 0xff;
    frame[offset + 3] = length & 0xff;
    frame.set(bytes, offset + 4);
    offset += 4 + length;
  }
  return frame;
}

/**
 * A copy that owns its whole buffer (for bytes that did not come from the codec, whose ownership
 * is not known). (`Buffer#slice` would not copy: hence by hand.)
 */
export function ownedCopy(view: Uint8Array): Uint8Array {
  const copy = new Uint8Array(view.length);
  copy.set(view);
  return copy;
}
