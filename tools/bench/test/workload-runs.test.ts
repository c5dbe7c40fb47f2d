import { describe, expect, it } from 'vitest';
import type { Connection } from '../src/adapter.ts';
import { smokeProfile } from '../src/profile.ts';
import { workloads } from '../src/workloads.ts';

/** A connection whose `add` and `incrementNewCounter` answer after `milliseconds`, counting the calls. */
function slowConnection(milliseconds: number) {
  const counts = { add: 0, chains: 0 };
  const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), milliseconds));
  const connection = {
    add: async (a: number, b: number) => {
      counts.add += 1;
      return later(a + b);
    },
    incrementNewCounter: async () => {
      counts.chains += 1;
      return later(1);
    },
  } as unknown as Connection;
  return { connection, counts };
}

function workload(id: string) {
  const found = workloads.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no workload ${id}`);
  return found;
}

describe('a latency run (W1, W3) lasts a time, in whole blocks', () => {
  const profile = {
    ...smokeProfile,
    latencyCalls: 4,
    chainCalls: 3,
    latencyMilliseconds: 40,
    maxLatencyBlocks: 50,
  };

  it('W1 makes blocks of latencyCalls until latencyMilliseconds passed, and reports time per call', async () => {
    const { connection, counts } = slowConnection(2);
    const perCall = await workload('W1').run({ connection, profile } as never);
    expect(counts.add % 4).toBe(0);
    // It stopped only once its blocks took 40 ms (one block of 4 calls takes about 8).
    expect((perCall * counts.add) / 1000).toBeGreaterThanOrEqual(40);
    // Each call takes at least 2 ms: 40 ms hold at most 20 calls, and the block that crossed the mark ends.
    expect(counts.add).toBeLessThanOrEqual(24);
    // Microseconds per call (a timer of 2 ms may fire a few microseconds early by the loop's clock).
    expect(perCall).toBeGreaterThan(1500);
  });

  it('W3 makes blocks of chainCalls the same way', async () => {
    const { connection, counts } = slowConnection(2);
    const perChain = await workload('W3').run({ connection, profile } as never);
    expect(counts.chains % 3).toBe(0);
    expect((perChain * counts.chains) / 1000).toBeGreaterThanOrEqual(40);
  });

  it('stops at maxLatencyBlocks, and makes one block when no time is asked for', async () => {
    const capped = slowConnection(2);
    await workload('W1').run({
      connection: capped.connection,
      profile: { ...profile, maxLatencyBlocks: 2 },
    } as never);
    expect(capped.counts.add).toBe(8);
    const single = slowConnection(0);
    await workload('W1').run({
      connection: single.connection,
      profile: { ...profile, latencyMilliseconds: 0 },
    } as never);
    expect(single.counts.add).toBe(4);
  });
});
