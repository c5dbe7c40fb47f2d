import { describe, expect, it } from 'vitest';
import { type FrameReceiver, packFrame, splitFrame } from '../src/wire/frame-layout.ts';

// The frame layout's ownership (frame-layout.ts): a packed frame of small messages is a view into a
// shared pool that is never written over and never spans its buffer (a transport must not move it),
// a large one owns its buffer, and a lone message is sent as itself.

/** An encoded message of `length` bytes: a CBOR array header, then `fill`. */
function message(length: number, fill: number): { bytes: Uint8Array } {
  const bytes = new Uint8Array(length).fill(fill);
  bytes[0] = 0x80 | Math.min(length - 1, 23);
  return { bytes };
}

/** The messages `splitFrame` delivers from `frame`, each copied. */
function split(frame: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  const receiver: FrameReceiver = {
    receiveMessage_: (bytes) => messages.push(bytes.slice()),
    isTerminated: false,
  };
  splitFrame(frame, 1 << 20, 'maxFrameBytes', receiver);
  return messages;
}

const spansItsBuffer = (frame: Uint8Array): boolean =>
  frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength;

describe('packFrame', () => {
  it('packs small frames into views that are never written over and never span their buffer', () => {
    // 2 messages of 4 bytes make a 16-byte frame, which divides the pool's size: the pool is filled
    // to its last byte before it is replaced.
    const frames: { frame: Uint8Array; fill: number }[] = [];
    for (let index = 0; index < 3000; index++) {
      const fill = index % 251;
      const frame = packFrame([message(4, fill), message(4, fill)], 0, 2);
      expect(frame.length).toBe(16);
      expect(spansItsBuffer(frame)).toBe(false);
      frames.push({ frame, fill });
    }
    // Every frame still holds what was packed into it, after the pool was replaced several times.
    for (const { frame, fill } of frames) {
      const messages = split(frame);
      expect(messages).toHaveLength(2);
      for (const bytes of messages) expect([...bytes.subarray(1)]).toEqual([fill, fill, fill]);
    }
    expect(new Set(frames.map(({ frame }) => frame.buffer)).size).toBeGreaterThan(2);
  });

  it('gives a frame of more than 4 KiB a buffer of its own, and sends a lone message as itself', () => {
    const large = packFrame([message(3000, 1), message(3000, 2)], 0, 2);
    expect(large.length).toBe(6008);
    expect(spansItsBuffer(large)).toBe(true);
    expect(split(large).map((bytes) => bytes[5])).toEqual([1, 2]);

    const lone = message(10, 3);
    expect(packFrame([lone], 0, 1)).toBe(lone.bytes);
  });

  it('packs the messages from `first`, `count` of them, in order', () => {
    const messages = [message(5, 1), message(6, 2), message(7, 3), message(8, 4)];
    const frame = packFrame(messages, 1, 2);
    expect(split(frame).map((bytes) => [bytes.length, bytes[1]])).toEqual([
      [6, 2],
      [7, 3],
    ]);
  });
});
