import { once } from 'node:events';
import { FrameRecorder } from '@msc/transport/compliance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagePortConnection } from '../src/index.ts';
import { bundleWorker, startWorkerWithPort } from './worker-harness.ts';

function numbered(index: number, size = 8): Uint8Array {
  const frame = new Uint8Array(size);
  new DataView(frame.buffer).setUint32(0, index);
  return frame;
}

describe('messagePortConnection() across a real worker thread', () => {
  let bundle: Awaited<ReturnType<typeof bundleWorker>>;

  beforeAll(async () => {
    bundle = await bundleWorker('echo-worker.ts');
  });

  afterAll(async () => {
    await bundle.remove();
  });

  it('a worker echoes 1,000 frames and a 1 MiB frame in order, then both sides close and the worker exits', async () => {
    const { worker, port } = startWorkerWithPort(bundle.file);
    const exited = once(worker, 'exit');
    const workerReason = once(worker, 'message');
    const connection = messagePortConnection(port);
    const echoes = new FrameRecorder();
    connection.start(echoes);
    for (let index = 0; index < 1000; index++) connection.send(numbered(index));
    const large = new Uint8Array(1024 * 1024).map((_, offset) => offset % 251);
    connection.send(large);
    // The frame owned its whole buffer, so it was moved to the worker, not copied.
    expect(large.byteLength).toBe(0);
    await echoes.untilFrames(1001);
    const numbers = echoes.frames.slice(0, 1000).map((frame) => new DataView(frame.buffer).getUint32(0));
    expect(numbers).toEqual(Array.from({ length: 1000 }, (_, index) => index));
    const echoedLarge = echoes.frames[1000]!;
    expect(echoedLarge.byteLength).toBe(1024 * 1024);
    expect(echoedLarge.every((value, offset) => value === offset % 251)).toBe(true);

    await connection.close();
    expect(await connection.closed).toMatchObject({ code: 'normal', remote: false });
    expect((await workerReason)[0]).toMatchObject({ code: 'normal', remote: true });
    expect((await echoes.untilClosed()).code).toBe('normal');
    // The worker had nothing else to do: a clean close leaves no port keeping it alive.
    expect((await exited)[0]).toBe(0);
  });

  it('a view into a larger buffer is copied, leaving the sender its buffer', async () => {
    const { worker, port } = startWorkerWithPort(bundle.file);
    const connection = messagePortConnection(port);
    const echoes = new FrameRecorder();
    connection.start(echoes);
    const whole = Uint8Array.of(1, 2, 3, 4, 5, 6);
    connection.send(whole.subarray(2, 4));
    await echoes.untilFrames(1);
    expect(Array.from(echoes.frames[0]!)).toEqual([3, 4]);
    expect(Array.from(whole)).toEqual([1, 2, 3, 4, 5, 6]);
    await connection.close();
    await once(worker, 'exit');
  });

  it('a terminated worker shows up as closed() with code "error" and remote true', async () => {
    const { worker, port } = startWorkerWithPort(bundle.file);
    const connection = messagePortConnection(port);
    const echoes = new FrameRecorder();
    connection.start(echoes);
    connection.send(numbered(1));
    await echoes.untilFrames(1);
    await worker.terminate();
    const reason = await echoes.untilClosed();
    expect(reason).toMatchObject({ code: 'error', remote: true });
    expect(await connection.closed).toBe(reason);
    expect(() => connection.send(numbered(2))).toThrow(
      expect.objectContaining({ name: 'ConnectionClosedError' }),
    );
  });

  it('an abort from the main thread reaches the worker as "aborted"', async () => {
    const { worker, port } = startWorkerWithPort(bundle.file);
    const workerReason = once(worker, 'message');
    const exited = once(worker, 'exit');
    const connection = messagePortConnection(port);
    connection.start(new FrameRecorder());
    connection.abort(new Error('main thread gave up'));
    expect((await workerReason)[0]).toMatchObject({ code: 'aborted', remote: true });
    expect((await exited)[0]).toBe(0);
  });
});
