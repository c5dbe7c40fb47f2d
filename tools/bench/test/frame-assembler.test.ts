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

  it('assembles frames larger than a socket read, from reads that split them and their prefixes anywhere', () => {
    const large = [frameOf(200_000), frameOf(65_536), frameOf(2)];
    const bytes = Buffer.from(streamOf(large));
    // Buffers, as a socket gives them; the cuts fall inside the second and third prefixes and the bodies.
    const cuts = [0, 65_483, 130_966, 200_006, 265_545, 265_547, bytes.length];
    const chunks = cuts.slice(1).map((cut, index) => bytes.subarray(cuts[index], cut));
    const delivered = assemble(chunks);
    expect(delivered).toEqual(large);
    for (const frame of delivered) expect(Object.getPrototypeOf(frame)).toBe(Uint8Array.prototype);
    // The first spanned reads: a buffer of its own, exactly its size. The others' bodies each lay in one read
    // (only their prefixes were split): views into it.
    expect(delivered[0]!.byteLength).toBe(delivered[0]!.buffer.byteLength);
    expect(delivered[1]!.buffer).toBe(bytes.buffer);
    expect(delivered[2]!.buffer).toBe(bytes.buffer);
  });

  it('delivers a frame a read holds whole as a view into it, and a frame that spans reads as a copy', () => {
    const whole = streamOf([frameOf(10)]);
    const spanning = Uint8Array.from(streamOf([frameOf(40)]));
    const delivered = assemble([whole, spanning.subarray(0, 20), spanning.subarray(20)]);
    expect(delivered).toEqual([frameOf(10), frameOf(40)]);
    expect(delivered[0]!.buffer).toBe(whole.buffer);
    spanning.fill(0);
    expect(delivered[1]).toEqual(frameOf(40));
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
