import { MessageChannel, Worker } from 'node:worker_threads';
import type { CloseReason } from '@msc/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { messagePortConnection } from '../src/index.ts';

// A hostile peer on another thread (a worker SIP gone bad) posts one message on each of its ports: control
// messages whose fields a careless error message would stringify (a cloned object may carry its own
// `toString`, which `String()` calls or throws on: out of the port's listener, that ends a Node process),
// and frames that are views over shared memory or over part of a larger buffer. Each connection must end
// with "protocol" and a message that says what arrived, and nothing may escape the listener.

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
});

/** What the hostile thread posts, one message per port, in this order. */
const attackSource = `
const { workerData } = require('node:worker_threads');
const messages = [
  { msc: 'ack', bytes: { toString: 0 } },
  { msc: 'values', bytes: { toString: 0, valueOf: 0 }, values: [] },
  { msc: 'x'.repeat(1_000_000) },
  new Uint8Array(new SharedArrayBuffer(16)),
  new Uint8Array(new ArrayBuffer(1 << 20), 0, 100),
  new Uint16Array(8),
];
workerData.ports.forEach((port, index) => port.postMessage(messages[index]));
`;

describe('messagePortConnection() against a hostile thread', () => {
  it('ends each connection with "protocol" and a message naming what arrived; nothing escapes the listener', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const channels = Array.from({ length: 6 }, () => new MessageChannel());
      const closed = channels.map(
        (channel) =>
          new Promise<CloseReason>((resolve) => {
            messagePortConnection(channel.port1).start({ frame() {}, values() {}, closed: resolve });
          }),
      );
      const ports = channels.map((channel) => channel.port2);
      workers.push(new Worker(attackSource, { eval: true, workerData: { ports }, transferList: ports }));
      const reasons = await Promise.all(closed);
      expect(reasons.map((reason) => reason.code)).toEqual(Array(6).fill('protocol'));
      expect(reasons.map((reason) => reason.message)).toEqual([
        expect.stringContaining('expected an acknowledgement of at most the 0 bytes sent, but got an object'),
        expect.stringContaining('expected a values frame with its size, but got an object'),
        expect.stringContaining(
          `expected a known control message, but got "${'x'.repeat(40)}"… (1000000 characters)`,
        ),
        expect.stringContaining(
          'expected a frame as a Uint8Array over an ArrayBuffer of its own, but got a Uint8Array of 16 bytes at offset 0 of a SharedArrayBuffer of 16',
        ),
        expect.stringContaining('but got a Uint8Array of 100 bytes at offset 0 of an ArrayBuffer of 1048576'),
        expect.stringContaining('but got a Uint16Array of 16 bytes at offset 0 of an ArrayBuffer of 16'),
      ]);
      // The long control name is cut in the message, not carried whole.
      expect(reasons[2]!.message.length).toBeLessThan(300);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
