import { AbortedError } from '@msc/eventual';
import { CallAbortError, withOptions } from '@msc/eventual/context';
import type { Connection } from '@msc/transport';
import { messagePortPair } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import { Calc, type ICalc } from './fixtures.ts';
import { served } from './harness.ts';

/** Counts the frames `connection` is handed from now on; `stop()` puts its `send` back. */
function countFrames(connection: Connection): { frames: Uint8Array[]; stop: () => void } {
  const original = connection.send.bind(connection);
  const frames: Uint8Array[] = [];
  connection.send = (frame) => {
    // A copy: a MessagePort connection moves a frame that spans its buffer (the original is detached).
    frames.push((frame as Uint8Array).slice());
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

/**
 * Sessions over a MessagePort pair whose ends ask for early sends (`Connection.sendEarly`, as a port
 * to another thread does): both ends are in this thread here, so the frames can be counted.
 */
function servedEarly(target: ICalc) {
  return served<ICalc>(target, { connections: messagePortPair({ sendEarly: true }) });
}

describe('sent early (Connection.sendEarly; docs/protocol.md, "Framing")', () => {
  test('a lone call is handed over inside the call, and its return as the method settles', async () => {
    const { remote, connections } = servedEarly(new Calc());
    await remote.whenResolved();
    const listener = countFrames(connections[1]);
    const dialer = countFrames(connections[0]);
    const sum = remote.add(1);
    // No microtask has run: the frame left from inside `add`.
    expect(dialer.frames.map(messagesIn)).toEqual([1]);
    expect(await sum).toBe(1);
    expect(listener.frames.map(messagesIn)).toEqual([1]);
    listener.stop();
    dialer.stop();
  });

  test("the rest of the turn shares one frame: a batch's calls go as the first, then all the others", async () => {
    const { remote, connections } = servedEarly(new Calc());
    await remote.whenResolved();
    const listener = countFrames(connections[1]);
    const dialer = countFrames(connections[0]);
    const sums = await Promise.all(Array.from({ length: 300 }, () => remote.add(1)));
    expect(Math.max(...sums)).toBe(300);
    expect(dialer.frames.map(messagesIn)).toEqual([1, 299]);
    // The first frame's return went alone (no other call of its frame was running); the second
    // frame's 299 calls were running together, so their returns share one frame.
    expect(listener.frames.map(messagesIn)).toEqual([1, 299]);
    listener.stop();
    dialer.stop();
  });

  test("a pipelined chain's returns still share one frame", async () => {
    const { remote, connections } = servedEarly(new Calc(5));
    await remote.whenResolved();
    const listener = countFrames(connections[1]);
    const dialer = countFrames(connections[0]);
    using clone = remote.clone();
    expect(await clone.add(2)).toBe(7);
    expect(dialer.frames.map(messagesIn)).toEqual([1, 1]);
    expect(listener.frames.reduce((sum, frame) => sum + messagesIn(frame), 0)).toBe(2);
    listener.stop();
    dialer.stop();
  });

  test('a call with a signal waits for the turn, so a Cancel in the same turn travels with it and it never runs', async () => {
    const calc = new Calc();
    const { remote, connections } = servedEarly(calc);
    await remote.whenResolved();
    const dialer = countFrames(connections[0]);
    const controller = new AbortController();
    const view = withOptions(remote, { signal: controller.signal });
    const sum = view.add(1);
    expect(dialer.frames).toHaveLength(0);
    controller.abort();
    await expect(sum).rejects.toBeInstanceOf(CallAbortError);
    expect(dialer.frames.map(messagesIn)).toEqual([2]);
    // A later call shows that the cancelled one never ran.
    expect(await remote.add(0)).toBe(0);
    expect(calc.log).toEqual([0]);
    view[Symbol.dispose]();
    dialer.stop();
  });

  test('an early send that fails ends the session from a later microtask, and the call rejects', async () => {
    const {
      remote,
      connections,
      dialer: session,
    } = served<ICalc>(new Calc(), {
      connections: messagePortPair({ sendEarly: true }),
      unchecked: true,
    });
    await remote.whenResolved();
    const original = connections[0].send.bind(connections[0]);
    connections[0].send = () => {
      throw new TypeError('the medium refused the frame');
    };
    const sum = remote.add(1);
    // Not from inside `add`: the question was still being recorded when the send failed.
    expect(session.isTerminated).toBe(false);
    await expect(sum).rejects.toBeInstanceOf(AbortedError);
    expect(session.isTerminated).toBe(true);
    expect((await session.closed).message).toContain('the medium refused the frame');
    connections[0].send = original;
  });
});
