import { ConnectionClosedError } from '@msc/transport';
import { FrameRecorder } from '@msc/transport/compliance';
import { describe, expect, it } from 'vitest';
import {
  ConnectionBrokenError,
  type MemoryConnection,
  MemoryRegistry,
  memory,
  memoryPair,
} from '../src/index.ts';

const frame = (value: number) => Uint8Array.of(value);
const values = (recorder: FrameRecorder) => recorder.frames.map((bytes) => bytes[0]);

describe('memory fault injection', () => {
  it('breakAfterFrames delivers the frames carried so far, then closed() with "error" on both sides', async () => {
    const [left, right] = memoryPair({ breakAfterFrames: 3 });
    const leftFrames = new FrameRecorder();
    const rightFrames = new FrameRecorder();
    left.start(leftFrames);
    right.start(rightFrames);
    left.send(frame(1));
    right.send(frame(2));
    left.send(frame(3)); // the third frame is the last one carried
    expect(() => left.send(frame(4))).toThrow(ConnectionClosedError);
    const leftReason = await leftFrames.untilClosed();
    const rightReason = await rightFrames.untilClosed();
    expect(values(rightFrames)).toEqual([1, 3]);
    expect(values(leftFrames)).toEqual([2]);
    for (const reason of [leftReason, rightReason]) {
      expect(reason).toMatchObject({ code: 'error', remote: true });
      expect(reason.error).toBeInstanceOf(ConnectionBrokenError);
    }
    expect(await left.closed).toBe(leftReason);
    expect(await right.closed).toBe(rightReason);
  });

  it('breakAfterFrames also holds with a delay: the frames in flight arrive before the break', async () => {
    const [left, right] = memoryPair({ breakAfterFrames: 2, delayMs: 5 });
    const rightFrames = new FrameRecorder();
    left.start(new FrameRecorder());
    right.start(rightFrames);
    left.send(frame(1));
    left.send(frame(2));
    expect((await rightFrames.untilClosed()).code).toBe('error');
    expect(values(rightFrames)).toEqual([1, 2]);
  });

  it('breakAfterFrames 0 hands out connections that are already broken', async () => {
    const registry = new MemoryRegistry();
    const transport = memory({ registry, breakAfterFrames: 0 });
    const accepted: FrameRecorder[] = [];
    const listener = await transport.listen('memory:doomed', (connection) => {
      const recorder = new FrameRecorder();
      accepted.push(recorder);
      connection.start(recorder);
    });
    const connection = await transport.dial(listener.address);
    expect((await connection.closed).code).toBe('error');
    await expect.poll(() => accepted[0]?.reason?.code).toBe('error');
    await listener.close();
  });

  it('breakNow() drops undelivered frames and both sides see a dead peer', async () => {
    const [left, right] = memoryPair();
    const leftFrames = new FrameRecorder();
    const rightFrames = new FrameRecorder();
    left.start(leftFrames);
    right.start(rightFrames);
    left.send(frame(1));
    await rightFrames.untilFrames(1);
    left.send(frame(2)); // still queued when the link dies
    right.send(frame(3));
    const cause = new Error('cable cut');
    left.breakNow(cause);
    const [leftReason, rightReason] = await Promise.all([
      leftFrames.untilClosed(),
      rightFrames.untilClosed(),
    ]);
    expect(values(rightFrames)).toEqual([1]);
    expect(values(leftFrames)).toEqual([]);
    expect(leftReason).toMatchObject({ code: 'error', remote: true, error: cause });
    expect(rightReason).toMatchObject({ code: 'error', remote: true, error: cause });
    expect(left.bufferedBytes).toBe(0);
    expect(right.bufferedBytes).toBe(0);
    left.breakNow(); // idempotent
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(leftFrames.closedReasons.length + rightFrames.closedReasons.length).toBe(2);
  });

  it('breakNow() on the accepted side of a memory() connection reaches the dialer', async () => {
    const transport = memory({ registry: new MemoryRegistry() });
    let accepted!: (connection: MemoryConnection) => void;
    const acceptedConnection = new Promise<MemoryConnection>((resolve) => (accepted = resolve));
    const listener = await transport.listen('memory:fragile', (connection) => {
      connection.start(new FrameRecorder());
      accepted(connection);
    });
    const dialed = await transport.dial('memory:fragile');
    const dialedFrames = new FrameRecorder();
    dialed.start(dialedFrames);
    (await acceptedConnection).breakNow();
    expect(await dialedFrames.untilClosed()).toMatchObject({ code: 'error', remote: true });
    await listener.close();
  });

  it('a graceful close that is interrupted by a break ends with "error" on the side still waiting', async () => {
    const [left, right] = memoryPair({ delayMs: 20 });
    const leftFrames = new FrameRecorder();
    left.start(leftFrames);
    right.start(new FrameRecorder());
    const closing = left.close();
    left.breakNow();
    await closing;
    expect(await left.closed).toMatchObject({ code: 'error', remote: true });
    expect((await leftFrames.untilClosed()).code).toBe('error');
  });
});
