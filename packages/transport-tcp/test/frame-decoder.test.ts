import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder, type RecordSink } from '../src/frame-decoder.ts';
import { tcp } from '../src/tcp-transport.ts';
import { driverOf } from './fixtures/driver-of.ts';
import { eventually } from './fixtures/eventually.ts';
import { rawClient, wireFrame } from './fixtures/raw-peer.ts';
import { recordingListener } from './fixtures/recording-listener.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A sink that records frames and fails the test on anything else. */
function recordingSink(): RecordSink & { frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  const unexpected = (what: string) => () => {
    throw new Error(`expected only frames, but the decoder reported ${what}`);
  };
  return {
    frames,
    frame: (frame) => frames.push(frame),
    ping: unexpected('a ping'),
    pong: unexpected('a pong'),
    notice: unexpected('a notice'),
    violation: (message) => unexpected(`a violation (${message})`)(),
    allocationFailed: unexpected('a failed allocation'),
  };
}

/** `length` bytes that differ from their neighbours, so a misplaced byte shows. */
function patterned(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = (index * 31 + (index >>> 8)) & 0xff;
  return bytes;
}

describe('FrameDecoder: what a frame under assembly holds', () => {
  it('a frame fed one byte per chunk is held in a few buffers, not one view per byte, and arrives intact', () => {
    const sink = recordingSink();
    const decoder = new FrameDecoder(1 << 20, sink);
    const payload = patterned(256 * 1024);
    const wire = wireFrame(payload);
    let mostHeld = 0;
    for (let offset = 0; offset < wire.length; offset++) {
      // A fresh buffer per chunk, as a socket read gives.
      decoder.push(Uint8Array.of(wire[offset]!));
      mostHeld = Math.max(mostHeld, decoder.heldPieces);
    }
    expect(mostHeld).toBeLessThanOrEqual(17);
    expect(decoder.heldPieces).toBe(0);
    expect(sink.frames).toHaveLength(1);
    const [frame] = sink.frames;
    expect(frame!.byteLength).toBe(payload.length);
    expect(frame!.buffer.byteLength).toBe(payload.length); // its own buffer, exactly its size
    expect(Buffer.from(frame!).equals(Buffer.from(payload))).toBe(true);
    expect(decoder.atBoundary).toBe(true);
  });

  it('frames split across small chunks of several sizes arrive intact, with what follows them', () => {
    const payloads = [
      patterned(100_000),
      patterned(3),
      patterned(70_000),
      new Uint8Array(0),
      patterned(5_000),
    ];
    const wire = Buffer.concat(payloads.map((payload) => wireFrame(payload)));
    for (const chunkBytes of [2, 7, 97, 1_000]) {
      const sink = recordingSink();
      const decoder = new FrameDecoder(1 << 20, sink);
      let mostHeld = 0;
      for (let offset = 0; offset < wire.length; offset += chunkBytes) {
        decoder.push(Uint8Array.from(wire.subarray(offset, offset + chunkBytes)));
        mostHeld = Math.max(mostHeld, decoder.heldPieces);
      }
      expect(mostHeld).toBeLessThanOrEqual(17);
      expect(sink.frames).toHaveLength(payloads.length);
      sink.frames.forEach((frame, index) => {
        expect(Buffer.from(frame).equals(Buffer.from(payloads[index]!)), `frame ${index}`).toBe(true);
      });
    }
  });

  it('a frame inside one chunk is still a view into that chunk (no copy)', () => {
    const sink = recordingSink();
    const decoder = new FrameDecoder(1 << 20, sink);
    const chunk = Buffer.concat([wireFrame(patterned(10)), wireFrame(patterned(20))]);
    decoder.push(chunk);
    expect(sink.frames.map((frame) => frame.buffer)).toEqual([chunk.buffer, chunk.buffer]);
  });

  it('a frame in a few large chunks is held as those chunks until its last byte, then copied once', () => {
    const sink = recordingSink();
    const decoder = new FrameDecoder(1 << 20, sink);
    const payload = patterned(200_000);
    const wire = wireFrame(payload);
    decoder.push(Uint8Array.from(wire.subarray(0, 70_000)));
    decoder.push(Uint8Array.from(wire.subarray(70_000, 140_000)));
    expect(decoder.heldPieces).toBe(2);
    decoder.push(Uint8Array.from(wire.subarray(140_000)));
    expect(Buffer.from(sink.frames[0]!).equals(Buffer.from(payload))).toBe(true);
  });
});

describe('a frame dribbled in over a real socket', () => {
  it('one byte per write: the server holds a few buffers for it, and the frame arrives intact', async () => {
    const { accepted, listener, close } = await recordingListener(tcp(), 'tcp:127.0.0.1:0');
    cleanups.push(close);
    const peer = await rawClient(Number(listener.address.split(':').at(-1)));
    cleanups.push(() => peer.socket.destroy());
    peer.socket.setNoDelay(true);
    await eventually(() => accepted.length === 1, 'the connection to be accepted');
    const { connection, frames } = accepted[0]!;
    const driver = driverOf(connection);
    const payload = patterned(64 * 1024); // the unit tests above feed 256 KiB; a socket is slower
    const wire = wireFrame(payload);
    let mostHeld = 0;
    for (let offset = 0; offset < wire.length; offset++) {
      peer.socket.write(wire.subarray(offset, offset + 1));
      // A turn every few bytes, so the server reads them in many small reads.
      if (offset % 16 === 0) await nextTurn();
      mostHeld = Math.max(mostHeld, driver.heldPieces);
    }
    await eventually(() => frames.frames.length === 1, 'the frame to arrive');
    expect(mostHeld).toBeGreaterThan(0);
    expect(mostHeld).toBeLessThanOrEqual(17);
    expect(Buffer.from(frames.frames[0]!).equals(Buffer.from(payload))).toBe(true);
  });
});
