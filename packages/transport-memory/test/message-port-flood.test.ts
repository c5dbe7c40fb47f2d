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
});
