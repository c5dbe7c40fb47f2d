import { MessageChannel } from 'node:worker_threads';
import type { CloseReason, FrameReceiver } from '@msc/transport';
import { describe, expect, it } from 'vitest';
import { messagePortConnection, messagePortPair } from '../src/index.ts';

// Values frames on a MessagePort connection (Connection.sendValues): in order with byte frames,
// counted by their declared size, and a peer declaring no size or too large a one is refused.

/** A receiver that records frames and values frames in arrival order. */
function recorder() {
  const arrived: unknown[] = [];
  let closed: ((reason: CloseReason) => void) | undefined;
  const ended = new Promise<CloseReason>((resolve) => {
    closed = resolve;
  });
  const receiver: FrameReceiver = {
    frame: (frame) => arrived.push(Array.from(frame)),
    values: (values, bytes) => arrived.push({ values, bytes }),
    closed: (reason) => closed!(reason),
  };
  return { arrived, receiver, ended };
}

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++)
    await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('values frames on a messagePortConnection()', () => {
  it('carries values, in order with frames, and counts their declared size until the peer delivers them', async () => {
    const [left, right] = messagePortPair();
    expect(left.carriesValues).toBe(true);
    left.start(recorder().receiver);
    left.send(new Uint8Array([1]));
    left.sendValues!([{ a: [1, 2] }, new Map([[1, 'x']])], [], 500);
    left.send(new Uint8Array([2]));
    expect(left.bufferedBytes).toBe(502);
    const { arrived, receiver } = recorder();
    right.start(receiver);
    await until(() => arrived.length === 3);
    expect(arrived).toEqual([[1], { values: [{ a: [1, 2] }, new Map([[1, 'x']])], bytes: 500 }, [2]]);
    await until(() => left.bufferedBytes === 0);
    expect(left.bufferedBytes).toBe(0);
    await left.close();
  });

  it('moves the buffers it is told to transfer', async () => {
    const [left, right] = messagePortPair();
    left.start(recorder().receiver);
    const { arrived, receiver } = recorder();
    right.start(receiver);
    const bytes = new Uint8Array(1024).fill(9);
    left.sendValues!([bytes], [bytes.buffer], 1029);
    expect(bytes.byteLength).toBe(0); // moved
    await until(() => arrived.length === 1);
    expect((arrived[0] as { values: Uint8Array[] }).values[0]![5]).toBe(9);
    await left.close();
  });

  it('refuses a declared size over maxFrameBytes on send (FrameTooLargeError) and on receipt (protocol)', async () => {
    const [left] = messagePortPair({ maxFrameBytes: 1000 });
    expect(() => left.sendValues!([1], [], 1001)).toThrow(
      expect.objectContaining({ name: 'FrameTooLargeError' }),
    );
    const { port1, port2 } = new MessageChannel();
    const connection = messagePortConnection(port2, { maxFrameBytes: 1000 });
    const { receiver, ended } = recorder();
    connection.start(receiver);
    port1.postMessage({ msc: 'values', bytes: 5000, values: [] });
    expect((await ended).code).toBe('protocol');
    port1.close();
  });

  it('refuses a values frame without a size (protocol)', async () => {
    const { port1, port2 } = new MessageChannel();
    const connection = messagePortConnection(port2);
    const { receiver, ended } = recorder();
    connection.start(receiver);
    port1.postMessage({ msc: 'values', bytes: 'lots', values: [] });
    expect((await ended).code).toBe('protocol');
    port1.close();
  });
});
