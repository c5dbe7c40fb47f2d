/**
 * The workloads, written once against the `Connection` contract. Each `run` performs one measured
 * repetition and returns its value in the workload's unit; it also checks every result it gets back,
 * so a broken adapter throws instead of reporting a fast nothing.
 */
import type { Adapter, Connection, Endpoint, Item } from './adapter.ts';
import type { Profile } from './profile.ts';
import { makeBytes, makeItems } from './service.ts';
import { summarize } from './statistics.ts';

/** What a workload's `run` gets. */
export interface WorkloadContext {
  /** The adapter being measured. */
  readonly adapter: Adapter;
  /** The endpoint the connection came from (W5 opens more sessions on it). */
  readonly endpoint: Endpoint;
  /** A connected session, warmed up by earlier workloads. */
  readonly connection: Connection;
  /** Counts and sizes. */
  readonly profile: Profile;
}

/** One workload. */
export interface Workload {
  /** Short id: W1 … W5, S1, S2, L1, L2; W3d for the delayed chain. */
  readonly id: string;
  /** Title printed above its rows. */
  title(profile: Profile): string;
  /** Unit of the values, e.g. `µs/call`. */
  readonly unit: string;
  /** Whether lower (times, memory) or higher (rates) values are better. */
  readonly better: 'lower' | 'higher';
  /** Whether this workload runs on an endpoint started with the profile's one-way delay. */
  readonly delayed: boolean;
  /**
   * Whether the value is proportional to the run's elapsed time (a time per operation, or a rate), so
   * that `measure.ts` can report a CPU-time twin of it. False for memory (W5).
   */
  readonly timed: boolean;
  /**
   * Set when a run forces full collections (W5, to read the heap). A child runs such a workload after
   * the others of its endpoint (`runOrder`), since V8 sizes its next collections from the heap a forced
   * one leaves: with W5 run before them, the TCP rows' S2, floor included, read 200 to 480 MB/s, against
   * 310 to 1,770 without it (focused runs of the TCP group, two rounds each).
   */
  readonly forcesCollections?: true;
  /**
   * Whether the workload applies: `true`, `false` (no row at all, e.g. W2 for a codec), or a reason
   * string for an `n/a` row (e.g. a library without streams).
   */
  applies(adapter: Adapter, connection: Connection): boolean | string;
  /** Runs one repetition and returns its value in `unit`. */
  run(context: WorkloadContext): Promise<number>;
}

/** Throws when a value that came back is not what was sent or computed. */
function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`wrong result from the library: expected ${what}`);
}

/** Whether `actual` holds exactly the items of `expected`, in order, with the same three fields each. */
function sameItems(actual: readonly Item[], expected: readonly Item[]): boolean {
  if (actual.length !== expected.length) return false;
  for (let index = 0; index < expected.length; index += 1) {
    const got = actual[index];
    const want = expected[index]!;
    if (
      got === undefined ||
      got.id !== want.id ||
      got.name !== want.name ||
      got.score !== want.score ||
      Object.keys(got).length !== 3
    )
      return false;
  }
  return true;
}

/** Workloads that need a session over a transport (not codecs). */
const overTransport = (adapter: Adapter) => adapter.kind !== 'codec';

/**
 * Forced collections per heap reading of W5. One pass is not enough: memory a closed session held is
 * often released only after its close events, timers or FinalizationRegistry callbacks have run, and
 * those run between passes. Four passes gave the same figures as eight on every row.
 */
const settlePasses = 4;

/**
 * Brings the heap to a settled state before a W5 reading: `settlePasses` times, a full collection
 * (when the process runs with --expose-gc), then one turn of the event loop's check phase
 * (`setImmediate`) and one of its timer phase (`setTimeout(0)`), so that what the collection made
 * runnable (finalization callbacks, close events, teardown timers) runs and its garbage is collected
 * by the next pass. Without --expose-gc it only yields.
 */
async function settleHeap(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let pass = 0; pass < settlePasses; pass += 1) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/**
 * Bytes the process holds: the JavaScript heap in use plus `external`, the native memory owned by
 * JavaScript objects (Node's `arrayBuffers` figure, Buffers included, is part of `external`).
 */
function heldBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** How many idle sessions W5 opens per run on `adapter`'s transport. */
export function idleSessionCount(adapter: Adapter, profile: Profile): number {
  return adapter.transport === 'memory' ? profile.idleSessions : profile.idleSocketSessions;
}

/** Runs `count` chains one after the other and returns the elapsed milliseconds. */
async function timeChains(connection: Connection, count: number): Promise<number> {
  const start = performance.now();
  for (let index = 0; index < count; index += 1) {
    expect((await connection.incrementNewCounter()) === 1, 'a new counter to count 1');
  }
  return performance.now() - start;
}

/**
 * Runs `once` again and again until its calls took `milliseconds` in all or it ran `maxTimes` times, at
 * least once; `check` sees each call's value outside the timed part. Resolves with the milliseconds the
 * calls took and how many there were. A latency run's blocks and a stream run's streams are both timed
 * so (see `Profile.latencyMilliseconds` and `Profile.streamMilliseconds` for why a run lasts a time).
 */
async function repeatFor<T>(
  milliseconds: number,
  maxTimes: number,
  once: () => Promise<T>,
  check?: (value: T) => void,
): Promise<{ elapsed: number; times: number }> {
  let elapsed = 0;
  let times = 0;
  do {
    const start = performance.now();
    const value = await once();
    elapsed += performance.now() - start;
    times += 1;
    check?.(value);
  } while (times < maxTimes && elapsed < milliseconds);
  return { elapsed, times };
}

/**
 * Times blocks of `perBlock` operations (`block` runs one block) until they took `profile.latencyMilliseconds`
 * in all or `profile.maxLatencyBlocks` were made, at least one; returns microseconds per operation.
 */
async function timeBlocks(profile: Profile, perBlock: number, block: () => Promise<void>): Promise<number> {
  const { elapsed, times } = await repeatFor(profile.latencyMilliseconds, profile.maxLatencyBlocks, block);
  return (elapsed * 1000) / (times * perBlock);
}

const w1: Workload = {
  id: 'W1',
  title: (profile) =>
    `W1 latency: sequential add(1, 2), per run blocks of ${profile.latencyCalls} calls for at least ${profile.latencyMilliseconds} ms (at most ${profile.maxLatencyBlocks})`,
  unit: 'µs/call',
  better: 'lower',
  delayed: false,
  timed: true,
  applies: () => true,
  run: ({ connection, profile }) =>
    timeBlocks(profile, profile.latencyCalls, async () => {
      for (let index = 0; index < profile.latencyCalls; index += 1) {
        expect((await connection.add(1, 2)) === 3, 'add(1, 2) = 3');
      }
    }),
};

const w2: Workload = {
  id: 'W2',
  title: (profile) =>
    `W2 throughput: ${profile.callsInFlight} add calls in flight, ${profile.throughputBatches} batches`,
  unit: 'calls/s',
  better: 'higher',
  delayed: false,
  timed: true,
  applies: overTransport,
  async run({ connection, profile }) {
    const start = performance.now();
    for (let batch = 0; batch < profile.throughputBatches; batch += 1) {
      const calls: Promise<number>[] = new Array(profile.callsInFlight);
      for (let index = 0; index < profile.callsInFlight; index += 1) calls[index] = connection.add(index, 1);
      const results = await Promise.all(calls);
      expect(
        results.every((result, index) => result === index + 1),
        'add(i, 1) = i + 1 for every call',
      );
    }
    const seconds = (performance.now() - start) / 1000;
    return (profile.callsInFlight * profile.throughputBatches) / seconds;
  },
};

const w3: Workload = {
  id: 'W3',
  title: (profile) =>
    `W3 pipelined chain: root.getCounter().inc(), per run blocks of ${profile.chainCalls} chains for at least ${profile.latencyMilliseconds} ms (at most ${profile.maxLatencyBlocks})`,
  unit: 'µs/chain',
  better: 'lower',
  delayed: false,
  timed: true,
  applies: overTransport,
  run: ({ connection, profile }) =>
    timeBlocks(profile, profile.chainCalls, async () => {
      await timeChains(connection, profile.chainCalls);
    }),
};

const w3Delayed: Workload = {
  id: 'W3d',
  title: (profile) =>
    `W3 with ${profile.delayMilliseconds} ms one-way delay: root.getCounter().inc(), ${profile.delayedChainCalls} chains per run`,
  unit: 'ms/chain',
  better: 'lower',
  delayed: true,
  timed: true,
  applies: overTransport,
  async run({ connection, profile }) {
    return (await timeChains(connection, profile.delayedChainCalls)) / profile.delayedChainCalls;
  },
};

const w4Bytes: Workload = {
  id: 'W4b',
  title: (profile) =>
    `W4 echo of a ${formatBytes(profile.echoBytesLength)} Uint8Array, per run at least ${profile.echoBytesCalls} echoes and ${profile.echoBytesMilliseconds} ms of them (at most ${profile.maxEchoBytesCalls})`,
  unit: 'ms/echo',
  better: 'lower',
  delayed: false,
  timed: true,
  applies: () => true,
  async run({ connection, profile }) {
    const bytes = makeBytes(profile.echoBytesLength);
    const expected = Buffer.from(bytes); // a copy: a library that moved `bytes` away must not pass
    let elapsed = 0;
    let echoes = 0;
    // Bounded by maxEchoBytesCalls; see Profile.echoBytesMilliseconds for why a run lasts a time.
    while (
      echoes < profile.maxEchoBytesCalls &&
      (echoes < profile.echoBytesCalls || elapsed < profile.echoBytesMilliseconds)
    ) {
      echoes += 1;
      const start = performance.now();
      const echoed = await connection.echoBytes(bytes);
      elapsed += performance.now() - start;
      // Every byte, compared outside the timed call (a memcmp: about 5% of an echo's CPU time).
      expect(
        Buffer.from(echoed.buffer, echoed.byteOffset, echoed.byteLength).equals(expected),
        `the same ${expected.byteLength} bytes back`,
      );
    }
    return elapsed / echoes;
  },
};

const w4Items: Workload = {
  id: 'W4o',
  title: (profile) =>
    `W4 echo of ${profile.echoItemsCount} objects { id, name, score }, ${profile.echoItemsCalls} echoes per run`,
  unit: 'ms/echo',
  better: 'lower',
  delayed: false,
  timed: true,
  applies: () => true,
  async run({ connection, profile }) {
    const items = makeItems(profile.echoItemsCount);
    let elapsed = 0;
    for (let index = 0; index < profile.echoItemsCalls; index += 1) {
      const start = performance.now();
      const echoed = await connection.echoItems(items);
      elapsed += performance.now() - start;
      // Every item, field by field, outside the timed call.
      expect(sameItems(echoed, items), `the same ${items.length} objects back`);
    }
    return elapsed / profile.echoItemsCalls;
  },
};

const w5: Workload = {
  id: 'W5',
  title: (profile) =>
    `W5 memory per idle session (heap + external, client and server ends, after one call), ${profile.idleSessions} sessions (${profile.idleSocketSessions} over sockets)`,
  unit: 'KiB/session',
  better: 'lower',
  delayed: false,
  timed: false,
  forcesCollections: true,
  applies: overTransport,
  async run({ adapter, endpoint, profile }) {
    const count = idleSessionCount(adapter, profile);
    // Referenced until both readings are taken, so nothing of them can be collected in between.
    const sessions: Connection[] = [];
    try {
      await settleHeap();
      const before = heldBytes();
      for (let index = 0; index < count; index += 1) sessions.push(await endpoint.connect());
      // One call each, so every session has finished its setup and holds its steady-state tables.
      await Promise.all(sessions.map(async (session) => expect((await session.add(1, 2)) === 3, 'add = 3')));
      await settleHeap();
      const after = heldBytes();
      expect(sessions.length === count, `${count} open sessions`);
      return (after - before) / 1024 / count;
    } finally {
      await Promise.all(sessions.map((session) => session.close()));
    }
  },
};

/**
 * Reads streams one after the other (`read` reads one and resolves with how many units arrived, which
 * must be `expected`) until they took `profile.streamMilliseconds` in all or `profile.maxStreams` were
 * read, at least one; returns units per second over all of them.
 */
async function timeStreams(
  profile: Profile,
  expected: number,
  what: string,
  read: () => Promise<number>,
): Promise<number> {
  const { elapsed, times } = await repeatFor(
    profile.streamMilliseconds,
    profile.maxStreams,
    read,
    (received) => expect(received === expected, `${expected} ${what}, got ${received}`),
  );
  return (expected * times) / (elapsed / 1000);
}

const s1: Workload = {
  id: 'S1',
  title: (profile) =>
    `S1 sequence: streams of ${profile.sequenceItems} items from the server, per run for at least ${profile.streamMilliseconds} ms (at most ${profile.maxStreams} streams)`,
  unit: 'items/s',
  better: 'higher',
  delayed: false,
  timed: true,
  applies: (adapter, connection) =>
    !overTransport(adapter) ? false : connection.readSequence !== undefined || 'n/a: no streams',
  run: ({ connection, profile }) =>
    timeStreams(profile, profile.sequenceItems, 'items', () =>
      connection.readSequence!(profile.sequenceItems),
    ),
};

const s2: Workload = {
  id: 'S2',
  title: (profile) =>
    `S2 byte stream: streams of ${formatBytes(profile.byteStreamBytes)} in ${formatBytes(profile.byteStreamChunkBytes)} chunks, per run for at least ${profile.streamMilliseconds} ms (at most ${profile.maxStreams} streams)`,
  unit: 'MB/s',
  better: 'higher',
  delayed: false,
  timed: true,
  applies: (adapter, connection) =>
    !overTransport(adapter) ? false : connection.readByteStream !== undefined || 'n/a: no byte streams',
  run: async ({ connection, profile }) =>
    (await timeStreams(profile, profile.byteStreamBytes, 'bytes', () =>
      connection.readByteStream!(profile.byteStreamBytes, profile.byteStreamChunkBytes),
    )) / 1e6,
};

/**
 * A local call's cost as a multiple of a direct one (issue 18: at most 4×), measured side by side in
 * one run (`Connection.timeLocalCalls`). One row per library that has local capabilities.
 */
function localCallRatio(id: string, mode: 'sequential' | 'in-flight'): Workload {
  return {
    id,
    title: (profile) =>
      `${id} local proxy call ÷ direct call: ${mode === 'sequential' ? 'sequential await' : 'all in flight,'} add(i, 1), ${profile.localCalls} calls × ${profile.localRepetitions} per run`,
    unit: '× direct',
    better: 'lower',
    delayed: false,
    // A ratio of two times measured in the same run: not proportional to the run's elapsed time.
    timed: false,
    applies: (_adapter, connection) => connection.timeLocalCalls !== undefined,
    async run({ connection, profile }) {
      const times = await connection.timeLocalCalls!(profile.localCalls, profile.localRepetitions, mode);
      // The median of the pairs' ratios: a pair measured back to back shares the machine's load,
      // and a pause that hits one pair does not move the median.
      return summarize(times.local.map((local, index) => local / times.direct[index]!)).median;
    },
  };
}

/** Sizes as people say them: 1 MiB, 64 KiB, 512 B. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** Every workload, in report order. */
export const workloads: readonly Workload[] = [
  w1,
  w2,
  w3,
  w3Delayed,
  w4Bytes,
  w4Items,
  w5,
  s1,
  s2,
  localCallRatio('L1', 'sequential'),
  localCallRatio('L2', 'in-flight'),
];
