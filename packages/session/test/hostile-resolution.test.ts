import { type Proxy, proxy, Resolver } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { traceMessages } from '../src/index.ts';
import type { ICalc } from './fixtures.ts';
import { sessionPair, sleep } from './harness.ts';

/**
 * Hostile and edge inputs to promise resolution beyond the message checks of
 * promise-resolution.test.ts: resolution loops and chains a peer builds, settlement listeners a
 * peer makes a host accumulate, and what `stats()` shows of them.
 */

/** The listener's side: keeps what it is given and hands out promises it settles when told. */
class Keeper {
  readonly resolvers: Resolver<Proxy<ICalc>>[] = [];
  kept: Proxy<ICalc> | undefined;
  async promise() {
    const resolver = new Resolver<Proxy<ICalc>>();
    this.resolvers.push(resolver);
    return { calc: resolver.proxy() };
  }
  async keep(calc: Proxy<ICalc>) {
    this.kept = proxy(calc);
  }
}

/** A hand-made frame of one message, as a hostile peer would send it. */
export async function forged(message: unknown[]): Promise<Uint8Array> {
  const { Codec } = await import('@msc/serialization');
  const bytes = new Codec().encode(message);
  const frame = new Uint8Array(4 + bytes.byteLength);
  new DataView(frame.buffer).setUint32(0, bytes.byteLength);
  frame.set(bytes, 4);
  return frame;
}

describe('promise resolution against a hostile peer', () => {
  test('a promise released before its Resolve stays in stats().imports until the Resolve arrives', async () => {
    const keeper = new Keeper();
    const atRelease: number[] = [];
    const { dialer, listener } = sessionPair({
      listenerRoot: proxy(keeper) as Proxy<unknown>,
      listener: {
        trace: traceMessages({
          level: 'messages',
          sink: (event) => {
            if (event.direction === 'out' && event.type === 'Release')
              atRelease.push(listener.stats().imports);
          },
        }),
      },
    });
    const remote = dialer.remoteRoot<Keeper>();
    const resolver = new Resolver<Proxy<ICalc>>();
    const pending = resolver.proxy();
    await remote.keep(pending);
    expect(listener.stats().imports).toBe(2); // the root and the promise
    keeper.kept![Symbol.dispose]();
    keeper.kept = undefined;
    for (let attempt = 0; attempt < 100 && atRelease.length === 0; attempt++) {
      (globalThis as { gc?: () => void }).gc?.();
      await sleep(2);
    }
    // Released, but owed a Resolve (the dialer's `Released` one is on its way): still counted.
    expect(atRelease).toEqual([2]);
    for (let attempt = 0; attempt < 100 && listener.stats().imports > 1; attempt++) await sleep(2);
    expect(listener.stats().imports).toBe(1);
    pending[Symbol.dispose]();
    remote[Symbol.dispose]();
  });
});
