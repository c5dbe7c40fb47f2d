import { describe, expect, it } from 'vitest';
import { FrameRecorder } from '../src/compliance/index.ts';
import {
  type CloseReason,
  ConnectionClosedError,
  DialError,
  FrameTooLargeError,
  ListenError,
} from '../src/index.ts';
import { FrameInbox, ValuesFrame } from '../src/kit/index.ts';

const normal: CloseReason = { code: 'normal', message: 'done', remote: true };
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('FrameInbox', () => {
  it('delivers values frames to values() only when made with carriesValues, in order with the frames', async () => {
    const delivered: unknown[] = [];
    const receiver = {
      frame: (frame: Uint8Array) => delivered.push(Array.from(frame)),
      values: (values: unknown, bytes: number) => delivered.push({ values, bytes }),
      closed: () => {},
    };
    const inbox = new FrameInbox({ carriesValues: true });
    inbox.start(receiver);
    inbox.push(Uint8Array.of(1));
    inbox.push(new ValuesFrame(['v'], 7, []));
    inbox.pushFromOwnTask(Uint8Array.of(2));
    await tick();
    expect(delivered).toEqual([[1], { values: ['v'], bytes: 7 }, [2]]);
    // Bytes only (the default): every frame goes to frame() without a type check.
    const bytesOnly: unknown[] = [];
    const plain = new FrameInbox();
    plain.start({ frame: (frame) => bytesOnly.push(Array.from(frame)), closed: () => {} });
    plain.push(Uint8Array.of(3));
    plain.pushFromOwnTask(Uint8Array.of(4));
    await tick();
    expect(bytesOnly).toEqual([[3], [4]]);
  });

  it('buffers until start(), then delivers in order in a later turn, then closed() once', async () => {
    const released: number[] = [];
    const inbox = new FrameInbox({ onReleased: (bytes) => released.push(bytes) });
    inbox.push(Uint8Array.of(1));
    inbox.push(Uint8Array.of(2, 2));
    inbox.end(normal);
    expect(inbox.push(Uint8Array.of(3))).toBe(false);
    const recorder = new FrameRecorder();
    inbox.start(recorder);
    expect(recorder.frames).toEqual([]); // not inside start()
    await tick();
    expect(recorder.frames.map((frame) => Array.from(frame))).toEqual([[1], [2, 2]]);
    expect(recorder.closedReasons).toEqual([normal]);
    expect(released).toEqual([3]); // one release per batch
    expect(() => inbox.start(new FrameRecorder())).toThrow(/once/);
  });

  it('abort() drops what was not delivered and keeps an end that was already known', async () => {
    const inbox = new FrameInbox();
    const recorder = new FrameRecorder();
    inbox.start(recorder);
    inbox.push(Uint8Array.of(1));
    inbox.end(normal);
    inbox.abort({ code: 'aborted', message: 'stop', remote: false });
    await tick();
    expect(recorder.frames).toEqual([]);
    expect(recorder.closedReasons).toEqual([normal]);
    expect(inbox.finished).toBe(true);
  });

  it('a receiver that aborts from inside frame() stops the batch', async () => {
    const inbox = new FrameInbox();
    const seen: number[] = [];
    inbox.start({
      frame: (frame) => {
        seen.push(frame[0]!);
        inbox.abort({ code: 'aborted', message: 'enough', remote: false });
      },
      closed: () => seen.push(-1),
    });
    inbox.push(Uint8Array.of(1));
    inbox.push(Uint8Array.of(2));
    await tick();
    expect(seen).toEqual([1, -1]);
  });

  it('a custom scheduler decides when deliveries run', () => {
    const pending: (() => void)[] = [];
    const inbox = new FrameInbox({ scheduler: (deliver) => pending.push(deliver) });
    const recorder = new FrameRecorder();
    inbox.start(recorder);
    inbox.push(Uint8Array.of(1));
    inbox.push(Uint8Array.of(2));
    expect(pending.length).toBe(1);
    pending.shift()!();
    expect(recorder.frames.length).toBe(2);
  });

  it('pushFromOwnTask() delivers at once when nothing waits ahead, and queues behind what does', async () => {
    const released: number[] = [];
    const inbox = new FrameInbox({ onReleased: (bytes) => released.push(bytes) });
    // Before start(): queued, like push().
    expect(inbox.pushFromOwnTask(Uint8Array.of(1))).toBe(true);
    const recorder = new FrameRecorder();
    inbox.start(recorder);
    // Frame 1 still waits for its scheduled delivery: frame 2 must not overtake it.
    expect(inbox.pushFromOwnTask(Uint8Array.of(2))).toBe(true);
    expect(recorder.frames).toEqual([]);
    await tick();
    expect(recorder.frames.map((frame) => Array.from(frame))).toEqual([[1], [2]]);
    // Idle now: delivered before pushFromOwnTask returns, and released at once.
    expect(inbox.pushFromOwnTask(Uint8Array.of(3, 3))).toBe(true);
    expect(recorder.frames.map((frame) => Array.from(frame))).toEqual([[1], [2], [3, 3]]);
    expect(released).toEqual([2, 2]);
    inbox.end(normal);
    expect(inbox.pushFromOwnTask(Uint8Array.of(4))).toBe(false);
    await tick();
    expect(recorder.closedReasons).toEqual([normal]);
    expect(recorder.framesAfterClosed).toBe(0);
  });

  it('pushFromOwnTask() from inside a delivery queues, and a receiver that throws does not break the order', async () => {
    const inbox = new FrameInbox();
    const seen: number[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      inbox.start({
        frame(frame) {
          seen.push(frame[0]!);
          if (frame[0] === 1) inbox.pushFromOwnTask(Uint8Array.of(2)); // re-entered: must wait its turn
          if (frame[0] === 2) throw new Error('receiver failed');
          expect(seen.at(-1)).toBe(frame[0]);
        },
        closed() {},
      });
      inbox.pushFromOwnTask(Uint8Array.of(1));
      expect(seen).toEqual([1]);
      await tick();
      inbox.pushFromOwnTask(Uint8Array.of(3));
      expect(seen).toEqual([1, 2, 3]);
      await tick();
      expect(uncaught).toHaveLength(1);
      expect((uncaught[0] as Error).message).toBe('receiver failed');
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});

describe('transport errors', () => {
  it('carry stable names and codes, and messages that say what was expected', () => {
    const closed = new ConnectionClosedError({ code: 'error', message: 'reset', remote: true });
    expect([closed.name, closed.code]).toEqual(['ConnectionClosedError', 'connection-closed']);
    expect(closed.message).toContain('reset');
    const tooLarge = new FrameTooLargeError(11, 10);
    expect([tooLarge.name, tooLarge.code, tooLarge.frameBytes, tooLarge.maxFrameBytes]).toEqual([
      'FrameTooLargeError',
      'frame-too-large',
      11,
      10,
    ]);
    expect(tooLarge.message).toBe('expected a frame of at most 10 bytes, but got 11 bytes');
    const dial = new DialError('refused', 'memory:x', 'nobody there');
    expect([dial.name, dial.code, dial.address]).toEqual(['DialError', 'refused', 'memory:x']);
    const listen = new ListenError('address-in-use', 'memory:x', 'taken');
    expect([listen.name, listen.code]).toEqual(['ListenError', 'address-in-use']);
  });
});
