import { MessageChannel } from 'node:worker_threads';
import { FrameRecorder } from '@msc/transport/compliance';
import { describe, expect, it, vi } from 'vitest';
import { messagePortConnection } from '../src/index.ts';
import { stringFrameBytes } from '../src/string-frames.ts';
import { connectionWithRawPeer } from './fixtures/raw-peer.ts';

/** Every byte value, repeated to `length`. */
function allBytes(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 131 + 7) & 0xff);
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('small frames as strings on a MessagePort connection', () => {
  it('between two connections: frames up to stringFrameBytes travel as strings, larger ones as bytes, every byte value intact', async () => {
    const channel = new MessageChannel();
    const posted: unknown[] = [];
    const post = channel.port1.postMessage.bind(channel.port1);
    channel.port1.postMessage = (message: unknown, transfer?: readonly ArrayBuffer[]) => {
      // Recorded before the post: a transferred frame is detached after it.
      posted.push(
        typeof message === 'string'
          ? `string ${message.length}`
          : `bytes ${(message as Uint8Array).byteLength}`,
      );
      post(message, transfer as ArrayBuffer[]);
    };
    const left = messagePortConnection(channel.port1);
    const right = messagePortConnection(channel.port2);
    const frames = new FrameRecorder();
    left.start(new FrameRecorder());
    right.start(frames);
    // The right side's opening acknowledgement (which says it takes strings) has reached the left:
    // this listener runs after the connection's own, so by then the left side has read it.
    let opened = false;
    channel.port1.on('message', () => {
      opened = true;
    });
    await vi.waitFor(() => expect(opened).toBe(true));
    const lengths = [0, 1, 29, stringFrameBytes, stringFrameBytes + 1, 4096];
    for (const length of lengths) left.send(allBytes(length));
    // Views at an offset into a larger buffer, as the codec's output is (read in one call on Node).
    const viewLengths = [1, 29, 64, stringFrameBytes];
    for (const length of viewLengths) {
      const host = new Uint8Array(Buffer.allocUnsafeSlow(length + 16).buffer, 0, length + 16);
      host.set(allBytes(length), 7);
      left.send(host.subarray(7, 7 + length));
    }
    await frames.untilFrames(lengths.length + viewLengths.length);
    expect(frames.frames.map((frame) => Array.from(frame))).toEqual(
      [...lengths, ...viewLengths].map((length) => Array.from(allBytes(length))),
    );
    expect(posted.slice(1)).toEqual([
      'string 0',
      'string 1',
      'string 29',
      `string ${stringFrameBytes}`,
      `bytes ${stringFrameBytes + 1}`,
      'bytes 4096',
      ...viewLengths.map((length) => `string ${length}`),
    ]);
    await left.close();
  });

  it('a peer that never said it takes strings (an older one) gets bytes only', async () => {
    const { connection, received } = connectionWithRawPeer();
    connection.send(allBytes(29));
    await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(2));
    expect(received[0]).toEqual({ msc: 'ack', bytes: 0, strings: true });
    expect(received.slice(1).map((message) => message instanceof Uint8Array)).toEqual([true]);
    connection.abort();
  });

  it('string frames from the peer arrive as bytes and are acknowledged by their size, like any frame', async () => {
    const { connection, frames, peer, received } = connectionWithRawPeer();
    peer.postMessage(String.fromCharCode(0, 255, 128, 65));
    peer.postMessage('');
    peer.postMessage('xyz');
    await frames.untilFrames(3);
    expect(frames.frames.map((frame) => Array.from(frame))).toEqual([[0, 255, 128, 65], [], [120, 121, 122]]);
    // The sender's credit comes back: the acknowledgements after the opening one add up to the 7 bytes delivered.
    const acknowledged = () =>
      received
        .slice(1)
        .filter(
          (message): message is { msc: 'ack'; bytes: number } => (message as { msc?: unknown }).msc === 'ack',
        )
        .reduce((sum, message) => sum + message.bytes, 0);
    await vi.waitFor(() => expect(acknowledged()).toBe(7));
    await settle(); // and no more than that
    expect(acknowledged()).toBe(7);
    connection.abort();
  });

  it('a string frame longer than stringFrameBytes ends the connection with "protocol"', async () => {
    const { frames, peer, received } = connectionWithRawPeer();
    peer.postMessage('x'.repeat(stringFrameBytes + 1));
    const reason = await frames.untilClosed();
    expect(reason).toMatchObject({ code: 'protocol', remote: true });
    expect(reason.message).toContain(`at most ${stringFrameBytes} characters`);
    expect(frames.frames).toEqual([]);
    await vi.waitFor(() => expect(received.at(-1)).toMatchObject({ msc: 'abort' }));
  });

  it('a character above 255 in a string frame ends the connection with "protocol", after the frames before it', async () => {
    const { frames, peer } = connectionWithRawPeer();
    peer.postMessage('ok');
    peer.postMessage('a\u0100');
    const reason = await frames.untilClosed();
    expect(reason).toMatchObject({ code: 'protocol', remote: true });
    expect(reason.message).toContain('below 256');
    expect(frames.frames.map((frame) => Array.from(frame))).toEqual([[111, 107]]);
  });
});
