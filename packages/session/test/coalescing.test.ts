import type { Connection } from '@msc/transport';
import { describe, expect, test } from 'vitest';
import { Calc, type ICalc } from './fixtures.ts';
import { served } from './harness.ts';

/** Counts the frames `connection` is handed from now on; `stop()` puts its `send` back. */
function countFrames(connection: Connection): { frames: Uint8Array[]; stop: () => void } {
  const original = connection.send.bind(connection);
  const frames: Uint8Array[] = [];
  connection.send = (frame) => {
    frames.push(frame as Uint8Array);
    original(frame);
  };
  return { frames, stop: () => void (connection.send = original) };
}

/** How many messages a frame holds (docs/protocol.md, "Framing"). */
function messagesIn(frame: Uint8Array): number {
  if (frame[0]! >= 0x80) return 1;
  let count = 0;
  for (let offset = 0; offset < frame.byteLength; count++) {
    offset += 4 + new DataView(frame.buffer, frame.byteOffset + offset, 4).getUint32(0);
  }
  return count;
}

describe('coalescing (docs/protocol.md, "Framing")', () => {
  test('a lone call leaves once the microtasks already waiting have run, not at the end of the turn', async () => {
    const { remote, connections } = served<ICalc>(new Calc());
    await remote.whenResolved();
    const dialer = countFrames(connections[0]);
    const sum = remote.add(1);
    // One microtask later (the turn's end, Node's tick queue, is further away still) the call is out.
    await null;
    expect(dialer.frames).toHaveLength(1);
    expect(await sum).toBe(1);
    dialer.stop();
  });

  test('the returns of a pipelined chain, which settle a few microtasks apart, share one frame', async () => {
    const { remote, connections } = served<ICalc>(new Calc(5));
    await remote.whenResolved();
    const listener = countFrames(connections[1]);
    const dialer = countFrames(connections[0]);
    // Both calls leave in one frame; the clone's add runs once the clone's return settled.
    using clone = remote.clone();
    expect(await clone.add(2)).toBe(7);
    expect(dialer.frames.map(messagesIn)).toEqual([2]);
    expect(listener.frames.map(messagesIn)).toEqual([2]);
    listener.stop();
    dialer.stop();
  });

  test("a batch's returns share one frame, its calls another", async () => {
    const { remote, connections } = served<ICalc>(new Calc());
    await remote.whenResolved();
    const listener = countFrames(connections[1]);
    const dialer = countFrames(connections[0]);
    const sums = await Promise.all(Array.from({ length: 300 }, () => remote.add(1)));
    expect(Math.max(...sums)).toBe(300);
    expect(dialer.frames.map(messagesIn)).toEqual([300]);
    expect(listener.frames.map(messagesIn)).toEqual([300]);
    listener.stop();
    dialer.stop();
  });
});
