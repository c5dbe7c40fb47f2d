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

describe('a stream run (S1, S2) lasts a time, in whole streams', () => {
  const profile = {
    ...smokeProfile,
    sequenceItems: 5,
    byteStreamBytes: 1000,
    streamMilliseconds: 40,
    maxStreams: 50,
  };

  /** A connection whose streams end after `milliseconds` with `delivered(asked)` units, counting them. */
  function streamingConnection(milliseconds: number, delivered = (asked: number) => asked) {
    const counts = { sequences: 0, byteStreams: 0 };
    const later = (value: number) =>
      new Promise<number>((resolve) => setTimeout(() => resolve(value), milliseconds));
    const connection = {
      readSequence: async (count: number) => {
        counts.sequences += 1;
        return later(delivered(count));
      },
      readByteStream: async (totalBytes: number) => {
        counts.byteStreams += 1;
        return later(delivered(totalBytes));
      },
    } as unknown as Connection;
    return { connection, counts };
  }

  it('S2 reads streams until streamMilliseconds passed, and reports megabytes per second over all of them', async () => {
    const { connection, counts } = streamingConnection(2);
    const megabytesPerSecond = await workload('S2').run({ connection, profile } as never);
    const seconds = (counts.byteStreams * 1000) / 1e6 / megabytesPerSecond;
    // It stopped only once its streams took 40 ms, at the first stream past the mark: a stream takes about
    // 2 ms (a timer may fire a little early by the loop's clock, so a few more may fit).
    expect(seconds * 1000).toBeGreaterThanOrEqual(40);
    expect(counts.byteStreams).toBeLessThanOrEqual(30);
  });

  it('S1 does the same in items per second', async () => {
    const { connection, counts } = streamingConnection(2);
    const itemsPerSecond = await workload('S1').run({ connection, profile } as never);
    expect(((counts.sequences * 5) / itemsPerSecond) * 1000).toBeGreaterThanOrEqual(40);
  });

  it('stops at maxStreams, and reads one stream when no time is asked for', async () => {
    const capped = streamingConnection(2);
    await workload('S2').run({
      connection: capped.connection,
      profile: { ...profile, maxStreams: 3 },
    } as never);
    expect(capped.counts.byteStreams).toBe(3);
    const single = streamingConnection(0);
    await workload('S1').run({
      connection: single.connection,
      profile: { ...profile, streamMilliseconds: 0 },
    } as never);
    expect(single.counts.sequences).toBe(1);
  });

  it('fails a run when a stream ends short', async () => {
    const { connection } = streamingConnection(0, (asked) => asked - 1);
    await expect(workload('S2').run({ connection, profile } as never)).rejects.toThrow('1000 bytes, got 999');
  });
});
