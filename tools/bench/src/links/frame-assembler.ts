/** Bytes in the length prefix of every frame (unsigned 32-bit, big-endian). */
export const prefixBytes = 4;

/**
 * Cuts a byte stream of length-prefixed frames (a 4-byte big-endian length, then the frame) into frames,
 * as the TCP floor receives them, doing what `@msc/transport-tcp`'s decoder does at the least: a frame
 * that one chunk holds whole is a view into it (no copy: Node never reuses a socket read's buffer), one
 * that spans chunks is copied once, into a buffer of its own filled in as the chunks come. (Joining the
 * chunks first and slicing the frame out of the join copied a 64 KiB frame twice: measured alone, 12 runs
 * each, the TCP floor's S2 had a median of 630 MB/s that way and 1,030 copying each byte once.) A view
 * may share its `ArrayBuffer` with the frames beside it, never its bytes.
 */
export class FrameAssembler {
  readonly #deliver: (frame: Uint8Array) => void;
  /** The length prefix being read when it spans chunks, and how many of its bytes are in. */
  readonly #prefix = new Uint8Array(prefixBytes);
  #prefixFilled = 0;
  /** The frame being filled in (its length known from the prefix), and how many of its bytes are in. */
  #frame: Uint8Array | undefined = undefined;
  #frameFilled = 0;

  /** @param deliver called with each whole frame, in order; the frame is the receiver's */
  constructor(deliver: (frame: Uint8Array) => void) {
    this.#deliver = deliver;
  }

  /**
   * Takes the next bytes of the stream and delivers the frames they end. The chunk is the assembler's from
   * now on: the frames it holds whole are views into it, so it must not be written to afterwards.
   */
  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      const frame = this.#frame;
      if (frame !== undefined) {
        const count = Math.min(frame.length - this.#frameFilled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + count), this.#frameFilled);
        this.#frameFilled += count;
        offset += count;
        if (this.#frameFilled === frame.length) {
          this.#frame = undefined;
          this.#deliver(frame);
        }
        continue;
      }
      let frameBytes: number;
      if (this.#prefixFilled === 0 && chunk.length - offset >= prefixBytes) {
        frameBytes = readLength(chunk, offset);
        offset += prefixBytes;
      } else {
        const count = Math.min(prefixBytes - this.#prefixFilled, chunk.length - offset);
        this.#prefix.set(chunk.subarray(offset, offset + count), this.#prefixFilled);
        this.#prefixFilled += count;
        offset += count;
        if (this.#prefixFilled < prefixBytes) return;
        this.#prefixFilled = 0;
        frameBytes = readLength(this.#prefix, 0);
      }
      if (chunk.length - offset >= frameBytes) {
        // The whole frame is in this chunk: a view into it, a plain Uint8Array even when the chunk is a Buffer.
        const whole = new Uint8Array(chunk.buffer, chunk.byteOffset + offset, frameBytes);
        offset += frameBytes;
        this.#deliver(whole);
      } else {
        this.#frame = new Uint8Array(frameBytes);
        this.#frameFilled = 0;
      }
    }
  }
}

/** The big-endian unsigned 32-bit length at `offset`. */
function readLength(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  );
}
