import {
  abortWord,
  closeWord,
  firstControlWord,
  maxNoticeBytes,
  type Notice,
  parseNotice,
  pingWord,
  pongWord,
} from './wire-format.ts';

/** Where a {@link FrameDecoder} reports what it decoded, in stream order. */
export interface RecordSink {
  /** A whole frame; the sink owns it (see {@link FrameDecoder} on sharing). */
  frame(frame: Uint8Array): void;
  /** The peer asked for a sign of life. */
  ping(): void;
  /** The peer gave a sign of life. */
  pong(): void;
  /** The peer announced a graceful close (`close`) or an abort (`abort`). */
  notice(kind: 'close' | 'abort', notice: Notice): void;
  /** The stream broke the wire format; nothing more is decoded after this. */
  violation(message: string): void;
  /** A buffer of `bytes` for a body could not be allocated (`error`, a RangeError); nothing more is decoded. */
  allocationFailed(bytes: number, error: unknown): void;
}

type Mode = 'word' | 'frame' | 'notice-length' | 'notice-body';

/**
 * How many pieces a body under assembly is held as, at most, before they are gathered into one buffer. Each piece
 * is a view that keeps its read's whole buffer alive (a few hundred bytes even for a 1-byte read), so a frame
 * dribbled in one byte per read would otherwise cost far more than its bytes.
 */
const maxHeldPieces = 16;
/** The smallest gathering buffer; it then doubles as bytes arrive, never past the body's declared length. */
const minGatherBytes = 64 * 1024;

/**
 * Splits a byte stream into the records of `wire-format.ts`, incrementally, whatever the chunking.
 *
 * A frame that lies whole inside one chunk is delivered as a view into that chunk (no copy): neighbouring frames
 * may share its `ArrayBuffer`, never its bytes. A frame split across chunks is held as the pieces that arrived
 * (what the decoder holds grows with the bytes received, never with the length a prefix declares) and copied into
 * one buffer of exactly its size once its last byte is there. Past {@link maxHeldPieces} pieces (many small reads)
 * they are gathered into one buffer that grows geometrically up to the declared length, so a body under assembly
 * holds at most about twice the bytes that arrived (at least {@link minGatherBytes}), however they were chunked.
 * A length above `maxFrameBytes` is a violation before anything is held for it; a buffer that cannot be allocated
 * is reported, not thrown.
 */
export class FrameDecoder {
  /** The largest frame length accepted; a connection may change it between chunks (`setMaxFrameBytes`). */
  maxFrameBytes: number;
  readonly #sink: RecordSink;
  #mode: Mode = 'word';
  /** The 4-byte word being read, when it is split across chunks. */
  readonly #word = new Uint8Array(4);
  #wordFill = 0;
  /** The pieces (views into the chunks) of the frame or notice body being assembled across chunks. */
  #pieces: Uint8Array[] = [];
  /**
   * Where that body's bytes are gathered once it came in more than {@link maxHeldPieces} pieces (then `#pieces` is
   * empty): its first `#partialFill` bytes are the body's. Its own buffer, handed on as the frame when full.
   */
  #gathered: Uint8Array | undefined = undefined;
  /** The length of that body, and how many of its bytes arrived. */
  #partialLength = 0;
  #partialFill = 0;
  #noticeKind: 'close' | 'abort' = 'close';
  #failed = false;

  /**
   * @param maxFrameBytes the largest frame length accepted; a larger length prefix is a violation
   * @param sink receives frames, heartbeats, notices and violations
   */
  constructor(maxFrameBytes: number, sink: RecordSink) {
    this.maxFrameBytes = maxFrameBytes;
    this.#sink = sink;
  }

  /** @internal For tests: how many separate buffers the body under assembly is held in now (pieces, or one). */
  get heldPieces(): number {
    return this.#gathered === undefined ? this.#pieces.length : 1;
  }

  /** Whether the stream is between records (nothing partial is buffered). */
  get atBoundary(): boolean {
    return this.#mode === 'word' && this.#wordFill === 0;
  }

  /**
   * Stops decoding for good and lets go of the body under assembly: the connection ended, and nothing it could
   * still decode would be delivered. Later chunks are dropped as they arrive.
   */
  stop(): void {
    this.#failed = true;
    this.#pieces = [];
    this.#gathered = undefined;
  }

  /** Decodes `chunk` (which the decoder may keep views into). Does nothing once a violation was reported or after `stop()`. */
  push(chunk: Uint8Array): void {
    let offset = 0;
    const end = chunk.length;
    while (offset < end && !this.#failed) {
      if (this.#mode === 'word' || this.#mode === 'notice-length') {
        let word: number;
        if (this.#wordFill === 0 && end - offset >= 4) {
          word =
            ((chunk[offset]! << 24) |
              (chunk[offset + 1]! << 16) |
              (chunk[offset + 2]! << 8) |
              chunk[offset + 3]!) >>>
            0;
          offset += 4;
        } else {
          const take = Math.min(4 - this.#wordFill, end - offset);
          this.#word.set(chunk.subarray(offset, offset + take), this.#wordFill);
          this.#wordFill += take;
          offset += take;
          if (this.#wordFill < 4) return;
          this.#wordFill = 0;
          const bytes = this.#word;
          word = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
        }
        offset = this.#record(word, chunk, offset);
      } else {
        // Filling a frame or notice body that started in an earlier chunk.
        const take = Math.min(this.#partialLength - this.#partialFill, end - offset);
        this.#hold(chunk.subarray(offset, offset + take));
        offset += take;
        if (!this.#failed && this.#partialFill === this.#partialLength) this.#completePartial();
      }
    }
  }

  /** Handles one record word; consumes what follows it from `chunk` when it is all there. Returns the new offset. */
  #record(word: number, chunk: Uint8Array, offset: number): number {
    if (this.#mode === 'notice-length') {
      if (word > maxNoticeBytes) {
        this.#fail(
          `expected a close notice of at most ${maxNoticeBytes} bytes, but its length prefix says ${word}`,
        );
        return offset;
      }
      return this.#body(word, chunk, offset, 'notice-body');
    }
    if (word < firstControlWord) {
      if (word > this.maxFrameBytes) {
        this.#fail(
          `expected a frame of at most ${this.maxFrameBytes} bytes, but the length prefix says ${word} bytes`,
        );
        return offset;
      }
      return this.#body(word, chunk, offset, 'frame');
    }
    switch (word) {
      case pingWord:
        this.#sink.ping();
        return offset;
      case pongWord:
        this.#sink.pong();
        return offset;
      case closeWord:
      case abortWord:
        this.#noticeKind = word === closeWord ? 'close' : 'abort';
        this.#mode = 'notice-length';
        return offset;
      default:
        this.#fail(`expected a frame length or a known control word, but got 0x${word.toString(16)}`);
        return offset;
    }
  }

  /** Takes a body of `length` bytes: a view when the chunk holds it all, else the first of its pieces. */
  #body(length: number, chunk: Uint8Array, offset: number, mode: 'frame' | 'notice-body'): number {
    const available = chunk.length - offset;
    if (available >= length) {
      const body = new Uint8Array(chunk.buffer, chunk.byteOffset + offset, length);
      this.#mode = mode;
      this.#deliver(body);
      return offset + length;
    }
    this.#mode = mode;
    if (available > 0) this.#pieces.push(chunk.subarray(offset));
    this.#partialLength = length;
    this.#partialFill = available;
    return chunk.length;
  }

  /** Holds the next `piece` of the body under assembly: as a view while few, else copied into the gathered buffer. */
  #hold(piece: Uint8Array): void {
    const fill = this.#partialFill + piece.length;
    if (this.#gathered === undefined) {
      this.#pieces.push(piece);
      this.#partialFill = fill;
      if (this.#pieces.length > maxHeldPieces) this.#gather(fill);
      return;
    }
    if (fill > this.#gathered.length && !this.#gather(fill)) return;
    this.#gathered.set(piece, this.#partialFill);
    this.#partialFill = fill;
  }

  /**
   * Moves what is held so far (the pieces, or the gathered bytes) into a new gathering buffer with room for at
   * least `needed` bytes: double the old room, at least {@link minGatherBytes}, at most the body's length (checked
   * against `maxFrameBytes` when its prefix arrived). Doubling keeps the copies linear in the body's size overall.
   * Returns false, having reported it, when the buffer cannot be allocated.
   */
  #gather(needed: number): boolean {
    const room = Math.min(
      this.#partialLength,
      Math.max(needed, 2 * (this.#gathered?.length ?? 0), minGatherBytes),
    );
    const buffer = this.#allocate(room);
    if (buffer === undefined) return false;
    if (this.#gathered === undefined) {
      copyPieces(this.#pieces, buffer);
      this.#pieces = [];
    } else {
      buffer.set(this.#gathered.subarray(0, this.#partialFill));
    }
    this.#gathered = buffer;
    return true;
  }

  #completePartial(): void {
    const pieces = this.#pieces;
    const gathered = this.#gathered;
    const length = this.#partialLength;
    this.#pieces = [];
    this.#gathered = undefined;
    this.#partialLength = 0;
    this.#partialFill = 0;
    // A gathered buffer is full now, so exactly the body's length (its room never passes that): no copy.
    if (gathered !== undefined) {
      this.#deliver(gathered);
      return;
    }
    const body = this.#allocate(length);
    if (body === undefined) return;
    copyPieces(pieces, body);
    this.#deliver(body);
  }

  /** A buffer of its own of exactly `bytes` (not zero-filled: callers overwrite what they read), or undefined, reported. */
  #allocate(bytes: number): Uint8Array | undefined {
    try {
      return new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, bytes);
    } catch (error) {
      this.#failed = true;
      this.#sink.allocationFailed(bytes, error);
      return undefined;
    }
  }

  #deliver(body: Uint8Array): void {
    if (this.#mode === 'frame') {
      this.#mode = 'word';
      this.#sink.frame(body);
      return;
    }
    this.#mode = 'word';
    const notice = parseNotice(body);
    if (notice === undefined) {
      this.#fail('expected a close notice of JSON { code, message }, but got something else');
      return;
    }
    this.#sink.notice(this.#noticeKind, notice);
  }

  #fail(message: string): void {
    this.#failed = true;
    this.#sink.violation(message);
  }
}

/** Copies `pieces`, in order, to the start of `target`. */
function copyPieces(pieces: readonly Uint8Array[], target: Uint8Array): void {
  let position = 0;
  for (const piece of pieces) {
    target.set(piece, position);
    position += piece.length;
  }
}
