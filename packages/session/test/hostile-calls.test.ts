import { type Proxy, proxy } from '@msc/eventual';
import { callContext } from '@msc/eventual/context';
import { describe, expect, test } from 'vitest';
import { traceMessages } from '../src/index.ts';
import { until } from './fixtures/resumable-pair.ts';
import { Calc, type ICalc, rawPeer } from './fixtures.ts';
import { sleep, turns } from './harness.ts';

// Calls and returns a hostile peer sends in an established session: a long chain of pipelined
// calls, calls finished before their return, and a return naming a capability that cannot be.

/** Collects uncaught exceptions and unhandled rejections while `body` runs (and a little after). */
async function uncaughtDuring(body: () => Promise<void>): Promise<unknown[]> {
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  try {
    await body();
    await sleep(20);
  } finally {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  }
  return uncaught;
}

describe('calls from a hostile peer', () => {
  test('a chain of 100,000 pipelined calls, each on the previous answer, settles without a stack overflow', async () => {
    let returns = 0;
    const peer = rawPeer<ICalc>(new Calc(), {
      listener: {
        limits: { maxAnswers: 250_000 },
        trace: traceMessages({
          level: 'messages',
          sink: (event) => {
            if (event.direction === 'out' && event.type === 'Return') returns++;
          },
        }),
      },
    });
    await peer.remote.whenResolved();
    const links = 100_000;
    const base = 1_000_000;
    const uncaught = await uncaughtDuring(async () => {
      const messages: unknown[][] = [[3, base, 0, 0, 'get', []]];
      for (let link = 1; link <= links; link++) {
        messages.push([3, base + link, 1, base + link - 1, 'get', []], [5, base + link - 1]);
      }
      peer.sendAll(messages);
      // Every link settles and returns: the first with its value, the others failing (a number has no `get`).
      await until(() => returns >= links + 1, 10_000); // a return for every link of the chain
    });
    // Before: RangeError (Maximum call stack size exceeded) out of a settlement, an unhandled rejection.
    expect(uncaught).toEqual([]);
    expect(returns).toBe(links + 1);
    peer.remote[Symbol.dispose]();
  });

  test('a Finish before the Return does not lift maxAnswers: the call still runs and still counts', async () => {
    let running = 0;
    class Slow {
      wait(): Promise<void> {
        running++;
        return new Promise<void>(() => {});
      }
    }
    const peer = rawPeer(new Slow(), { listener: { limits: { maxAnswers: 10 } } });
    await peer.remote.whenResolved();
    const messages: unknown[][] = [];
    for (let call = 0; call < 1_000; call++)
      messages.push([3, 5_000 + call, 0, 0, 'wait', []], [5, 5_000 + call]);
    peer.sendAll(messages);
    const reason = await peer.listener.closed;
    expect(reason).toMatchObject({ code: 'limit', limit: 'maxAnswers' });
    expect(running).toBeLessThanOrEqual(10);
  });

  test('a question id used again after an early Finish: the first call settling does not end the second call’s context', async () => {
    class Service {
      signal: AbortSignal | undefined;
      first(): number {
        return 1;
      }
      second(): Promise<void> {
        this.signal = callContext().signal;
        return new Promise<void>(() => {});
      }
    }
    const service = new Service();
    const peer = rawPeer(service, { listener: { limits: { maxCallTimeoutMs: 50 } } });
    await peer.remote.whenResolved();
    // One frame: the first call, its Finish before it ran, then the same id for a call with a 10 s deadline.
    peer.sendAll([
      [3, 7000, 0, 0, 'first', []],
      [5, 7000],
      [3, 7000, 0, 0, 'second', [], [10_000]],
    ]);
    // The deadline is cut to 50 ms; before, the signal never fired (the first call's return ended it).
    await until(() => service.signal?.aborted === true, 10_000); // the second call's signal fires
    peer.remote[Symbol.dispose]();
  });

  test('a Return naming an export the peer does not hold ends the session and still settles the call', async () => {
    class Never {
      ping(): Promise<void> {
        return new Promise<void>(() => {});
      }
    }
    class Host {
      pending: Promise<unknown> | undefined;
      relay(callback: Proxy<Never>): void {
        this.pending = Promise.resolve(callback.ping());
      }
    }
    const host = new Host();
    const peer = rawPeer(host);
    await peer.remote.relay(proxy(new Never())); // the listener's question 0 goes to the dialer
    await turns();
    peer.send([4, 0, 1, [1, 424_242]]); // its Return: a capability, an export the listener never had
    expect((await peer.listener.closed).code).toBe('protocol');
    // Before, this never settled: the test ran into its timeout.
    await expect(host.pending!).rejects.toThrow();
  });
});
