import { fork } from 'node:child_process';
import { describeTransportCompliance, FrameRecorder } from '@msc/transport/compliance';
import { describe, expect, test } from 'vitest';
import { ipcConnection } from '../src/index.ts';
import { fakeIpcChannelPair, fakeIpcTransport } from './fake-ipc-channel.ts';

describeTransportCompliance('ipcConnection() over an advanced-serialization channel', async () => ({
  transport: fakeIpcTransport(),
  address: 'ipc-test:',
  teardown: async () => {},
}));

describe('ipcConnection()', () => {
  test('the other side vanishing shows up as closed() with code "error", after the frames that came first', async () => {
    const [left, right] = fakeIpcChannelPair();
    const sender = ipcConnection(left);
    const receiver = ipcConnection(right);
    const frames = new FrameRecorder();
    receiver.start(frames);
    sender.start(new FrameRecorder());
    sender.send(Uint8Array.of(1, 2, 3));
    await frames.untilFrames(1);
    left.disconnect();
    expect(await frames.untilClosed()).toMatchObject({ code: 'error', remote: true });
    expect(Array.from(frames.frames[0]!)).toEqual([1, 2, 3]);
  });

  test('messages that are not its own (another user of the channel) are ignored', async () => {
    const [left, right] = fakeIpcChannelPair();
    const receiver = ipcConnection(right);
    const frames = new FrameRecorder();
    receiver.start(frames);
    left.send({ mscSip: 'descendant', pid: 1, alive: true }, () => {});
    left.send(Uint8Array.of(9), () => {});
    await frames.untilFrames(1);
    expect(frames.closedReasons).toEqual([]);
    receiver.abort();
  });

  test('a channel with JSON serialization is a protocol violation with a clear message', async () => {
    const [left, right] = fakeIpcChannelPair();
    const receiver = ipcConnection(right);
    const frames = new FrameRecorder();
    receiver.start(frames);
    left.send(JSON.parse(JSON.stringify(Uint8Array.of(1, 2))), () => {});
    const reason = await frames.untilClosed();
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain("serialization 'advanced'");
  });

  test('frames cross a real child process IPC channel and come back in order', async () => {
    // The child echoes every message back: enough to see frames survive the real channel as Uint8Arrays.
    const child = fork(new URL('./fixtures/ipc-echo.mjs', import.meta.url), [], {
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {},
    });
    const connection = ipcConnection(child);
    const frames = new FrameRecorder();
    connection.start(frames);
    for (let index = 0; index < 100; index++) connection.send(Uint8Array.of(index, 255 - index));
    await frames.untilFrames(100);
    expect(frames.frames.map((frame) => frame[0])).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(frames.frames.every((frame) => frame instanceof Uint8Array && frame.byteLength === 2)).toBe(true);
    child.kill('SIGKILL');
    expect(await frames.untilClosed()).toMatchObject({ code: 'error', remote: true });
  });
});
