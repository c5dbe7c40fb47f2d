import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { messagePortConnection } from '../src/index.ts';
import { millisecondsPerTurn } from '../src/message-port-connection.ts';

// A peer on another thread that posts without waiting for acknowledgements (a hostile worker SIP):
// Node hands a port the messages queued for it a thousand or more at a time, so the connection must
// spread its work over event-loop turns.

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
});

/** Spins for `milliseconds` (a receiver that does real work per frame). */
function busy(milliseconds: number): void {
  const end = performance.now() + milliseconds;
  while (performance.now() < end) {
    // working
  }
}

describe('messagePortConnection() under a flood from another thread', () => {
  it(`spends at most about ${millisecondsPerTurn} ms of its receiver's work per event-loop turn: a timer runs between batches`, async () => {
    // 20,000 values frames of 16 calls each, posted as fast as the thread can: what a hostile worker SIP did.
    const channel = new MessageChannel();
    workers.push(
      new Worker(
        `const { workerData } = require('node:worker_threads');
         for (let frame = 0; frame < 20000; frame++) {
           const values = Array.from({ length: 16 }, (_, index) => [3, frame * 16 + index, 0, 0, 'echo', ['x'.repeat(64)]]);
           workerData.port.postMessage({ msc: 'values', bytes: 4096, values });
         }`,
        { eval: true, workerData: { port: channel.port2 }, transferList: [channel.port2] },
      ),
    );
    const connection = messagePortConnection(channel.port1);
    let delivered = 0;
    let last = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 1);
    await new Promise<void>((resolve) => {
      connection.start({
        frame: () => {},
        values: () => {
          busy(0.05); // real work per frame, as 16 calls are for a session
          if (++delivered === 20_000) resolve();
        },
        closed: () => {},
      });
    });
    clearInterval(timer);
    // Without the per-turn budget Node handed over the frames a thousand or more at a time, and their
    // work ran with no turn between: the timer waited 1-2 s on a loaded two-core machine.
    expect(longestGap).toBeLessThan(500);
    connection.abort();
  }, 60_000);

  it('pays no macrotask per message for its turn budget when messages come one per turn (a call answered at a time)', async () => {
    const channel = new MessageChannel();
    const connection = messagePortConnection(channel.port1);
    let delivered = 0;
    let next: (() => void) | undefined;
    connection.start({
      frame: () => {
        delivered++;
        next?.();
      },
      closed: () => {},
    });
    const immediate = globalThis.setImmediate;
    let scheduled = 0;
    globalThis.setImmediate = ((...args: Parameters<typeof setImmediate>) => {
      scheduled++;
      return immediate(...args);
    }) as typeof setImmediate;
    try {
      for (let index = 0; index < 320; index++) {
        const arrived = new Promise<void>((resolve) => {
          next = resolve;
        });
        channel.port2.postMessage(new Uint8Array([index & 0xff]));
        await arrived;
        // Post the next one in a later turn: posted from the delivery's microtasks, it would be handed
        // over in the same turn (Node's port drains what is queued, new messages included).
        await new Promise((resolve) => immediate(resolve));
      }
    } finally {
      globalThis.setImmediate = immediate;
    }
    expect(delivered).toBe(320);
    // One turn's end looked for per 32 messages: 10 here (a macrotask per message would be 320).
    expect(scheduled).toBeLessThanOrEqual(12);
    connection.abort();
    channel.port2.close();
  });
});
