import { describe, expect, it } from 'vitest';
import { FrameAssembler, prefixBytes } from '../src/links/frame-assembler.ts';

/** The stream that carries `frames`: each one's 4-byte big-endian length, then its bytes. */
function streamOf(frames: readonly Uint8Array[]): Uint8Array {
  const stream = new Uint8Array(frames.reduce((sum, frame) => sum + prefixBytes + frame.length, 0));
  const view = new DataView(stream.buffer);
  let offset = 0;
  for (const frame of frames) {
    view.setUint32(offset, frame.length);
    stream.set(frame, offset + prefixBytes);
    offset += prefixBytes + frame.length;
  }
  return stream;
}

/** A frame of `length` bytes that differ from those of a frame of another length. */
function frameOf(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 7 + length) & 0xff);
}

/** The frames `chunks` deliver, pushed one after the other. */
function assemble(chunks: readonly Uint8Array[]): Uint8Array[] {
  const delivered: Uint8Array[] = [];
  const assembler = new FrameAssembler((frame) => delivered.push(frame));
  for (const chunk of chunks) assembler.push(chunk);
  return delivered;
}

describe('the TCP floor cuts its byte stream into frames', () => {
  const frames = [0, 1, 3, 4, 5, 0, 300].map(frameOf);
  const stream = streamOf(frames);

  it('delivers the same frames in order however the stream is cut in two', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(assemble([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(frames);
    }
  });

  it('delivers the same frames from one byte at a time, and from the whole stream at once', () => {
    expect(assemble(Array.from(stream, (byte) => Uint8Array.of(byte)))).toEqual(frames);
    expect(assemble([stream])).toEqual(frames);
  });

  it('assembles a frame larger than a socket read from reads that split it and its prefix anywhere', () => {
    const large = [frameOf(200_000), frameOf(65_536), frameOf(2)];
    const bytes = streamOf(large);
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += 65_483)
      chunks.push(bytes.subarray(offset, offset + 65_483));
    const delivered = assemble(chunks);
    expect(delivered).toEqual(large);
    // Right-sized frames of their own: not views into a read, nor into a larger buffer.
    for (const frame of delivered) expect(frame.byteLength).toBe(frame.buffer.byteLength);
  });

  it('delivers copies: writing over a read afterwards changes no frame', () => {
    const chunk = streamOf([frameOf(10)]);
    const half = Uint8Array.from(streamOf([frameOf(40)]));
    const delivered = assemble([chunk, half.subarray(0, 20), half.subarray(20)]);
    chunk.fill(0);
    half.fill(0);
    expect(delivered).toEqual([frameOf(10), frameOf(40)]);
  });

  it('holds back a frame until its last byte is in', () => {
    const delivered: Uint8Array[] = [];
    const assembler = new FrameAssembler((frame) => delivered.push(frame));
    const bytes = streamOf([frameOf(8)]);
    assembler.push(bytes.subarray(0, 2));
    assembler.push(bytes.subarray(2, 11));
    expect(delivered).toEqual([]);
    assembler.push(bytes.subarray(11));
    expect(delivered).toEqual([frameOf(8)]);
  });
});
