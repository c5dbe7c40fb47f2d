/**
 * How much work each workload does. Every loop in the harness is bounded by these counts; nothing
 * runs "until stable".
 */

/** Counts and sizes for one harness run. */
export interface Profile {
  /** Name printed in the report. */
  readonly name: 'full' | 'quick' | 'smoke';
  /** Measured repetitions per cell (median, min and max are taken over these). */
  readonly runs: number;
  /**
   * Unrecorded warm-up before each cell (JIT, lazy initialisation): runs are repeated until this many
   * milliseconds have passed, at least once and at most `maxWarmUpRuns` times. 0 for no warm-up.
   */
  readonly warmUpMilliseconds: number;
  /** Upper bound on warm-up runs per cell. */
  readonly maxWarmUpRuns: number;
  /** W1: sequential `add(1, 2)` calls per block; a run makes one or more blocks (see `latencyMilliseconds`). */
  readonly latencyCalls: number;
  /**
   * W1 and W3: a run goes on past its first block (`latencyCalls` calls, `chainCalls` chains) with
   * more blocks until its blocks took this many milliseconds in all, or `maxLatencyBlocks` were made.
   * A block of 2,000 calls over a MessageChannel lasts 40 ms. In lockstep (`turn-scheduler.ts`) a run
   * starts right after other processes' turns, with the caches and branch predictors theirs, and a
   * library with more code and data on its hot path pays more for that at the start of every run: in
   * runs of 2,000 calls @msc's W1 read 0.95 to 1.25 of birpc's, in runs of 15,000 (about 300 ms) 0.96
   * to 1.01 (interquartile range of 25 paired runs each, over a MessageChannel).
   */
  readonly latencyMilliseconds: number;
  /** W1 and W3: the most blocks per run. */
  readonly maxLatencyBlocks: number;
  /** W2: calls in flight at once. */
  readonly callsInFlight: number;
  /** W2: batches of `callsInFlight` calls per run. */
  readonly throughputBatches: number;
  /** W3: sequential two-call chains per block; a run makes one or more blocks (see `latencyMilliseconds`). */
  readonly chainCalls: number;
  /** W3 with delay: chains per run. */
  readonly delayedChainCalls: number;
  /** W3 with delay: one-way delay added to every message, in milliseconds. */
  readonly delayMilliseconds: number;
  /** W4: length of the byte array echoed, in bytes. */
  readonly echoBytesLength: number;
  /** W4: byte array echoes per run, at least (see `echoBytesMilliseconds`). */
  readonly echoBytesCalls: number;
  /**
   * W4b: a run goes on echoing past `echoBytesCalls` until its echoes took this many milliseconds in
   * all, or `maxEchoBytesCalls` were made. A megabyte echo makes garbage that a major collection
   * reclaims every few dozen echoes; a run of 20 echoes (14 ms) caught one or none, and its runs read
   * from 0.34 to 2.3 ms per echo. Runs of equal duration each pay their share of collections.
   */
  readonly echoBytesMilliseconds: number;
  /** W4b: the most byte array echoes per run. */
  readonly maxEchoBytesCalls: number;
  /** W4: number of `{ id, name, score }` objects echoed at once. */
  readonly echoItemsCount: number;
  /** W4: object array echoes per run. */
  readonly echoItemsCalls: number;
  /**
   * W5: idle sessions opened per run over the in-process transport. Enough that the sessions' own
   * memory dominates what else the heap does between the two readings.
   */
  readonly idleSessions: number;
  /** W5: idle sessions opened per run over sockets (TCP, WebSocket): two sockets each. */
  readonly idleSocketSessions: number;
  /** L1/L2: calls per repetition, on each side (direct and local proxy). */
  readonly localCalls: number;
  /** L1/L2: repetitions per run on each side, alternating. */
  readonly localRepetitions: number;
  /** S1: items per stream; a run reads one or more streams (see `streamMilliseconds`). */
  readonly sequenceItems: number;
  /** S2: bytes per stream; a run reads one or more streams (see `streamMilliseconds`). */
  readonly byteStreamBytes: number;
  /** S2: size of each written chunk, in bytes. */
  readonly byteStreamChunkBytes: number;
  /**
   * S1 and S2: a run goes on past its first stream with more streams, one after the other, until its
   * streams took this many milliseconds in all, or `maxStreams` were read. A stream of 32 MiB over TCP
   * lasts 30 to 150 ms, and in lockstep each run starts after seconds of idling, which its first stream
   * pays for: run alone with one stream a run (and copying twice, as it then did), the TCP floor's S2
   * read 840 MB/s with 100 ms between runs, 430 with 500 ms and 240 with 2 s; in the two full runs of
   * 2026-12-07 made so, its runs ranged from 95 to 615 MB/s. A major collection, which the stream's
   * buffers bring every few dozen megabytes, also lands in one short run and not the next; runs of equal
   * duration each pay their share.
   */
  readonly streamMilliseconds: number;
  /** S1 and S2: the most streams per run. */
  readonly maxStreams: number;
  /**
   * MiB of application-like objects each measuring process holds before it loads its library
   * (`application-heap.ts`); `--application-heap` overrides it.
   */
  readonly applicationHeapMebibytes: number;
}

const mebibyte = 1024 * 1024;

/** The default run: 5 repetitions, sizes as named in the workload titles. A few minutes. */
export const fullProfile: Profile = {
  name: 'full',
  runs: 5,
  warmUpMilliseconds: 400,
  maxWarmUpRuns: 20,
  latencyCalls: 2000,
  latencyMilliseconds: 300,
  maxLatencyBlocks: 20,
  callsInFlight: 1000,
  throughputBatches: 5,
  chainCalls: 1000,
  delayedChainCalls: 100,
  delayMilliseconds: 1,
  echoBytesLength: mebibyte,
  echoBytesCalls: 20,
  echoBytesMilliseconds: 300,
  maxEchoBytesCalls: 2000,
  echoItemsCount: 10_000,
  echoItemsCalls: 10,
  idleSessions: 500,
  idleSocketSessions: 200,
  localCalls: 1000,
  localRepetitions: 20,
  sequenceItems: 20_000,
  byteStreamBytes: 32 * mebibyte,
  byteStreamChunkBytes: 64 * 1024,
  streamMilliseconds: 300,
  maxStreams: 50,
  applicationHeapMebibytes: 64,
};

/** `--quick`: 3 repetitions of smaller loops, same sizes per call. About a minute in all. */
export const quickProfile: Profile = {
  ...fullProfile,
  name: 'quick',
  runs: 3,
  warmUpMilliseconds: 150,
  latencyCalls: 1000,
  latencyMilliseconds: 60,
  throughputBatches: 2,
  chainCalls: 200,
  delayedChainCalls: 20,
  echoBytesCalls: 4,
  echoBytesMilliseconds: 60,
  echoItemsCalls: 3,
  localRepetitions: 8,
  sequenceItems: 5000,
  byteStreamBytes: 8 * mebibyte,
  streamMilliseconds: 60,
};

/** One tiny iteration of everything, to prove the wiring (tests). Not a measurement. */
export const smokeProfile: Profile = {
  ...fullProfile,
  name: 'smoke',
  runs: 1,
  warmUpMilliseconds: 0,
  latencyCalls: 2,
  latencyMilliseconds: 0,
  maxLatencyBlocks: 1,
  callsInFlight: 10,
  throughputBatches: 1,
  chainCalls: 2,
  delayedChainCalls: 2,
  echoBytesLength: 4096,
  echoBytesCalls: 1,
  echoBytesMilliseconds: 0,
  maxEchoBytesCalls: 1,
  echoItemsCount: 20,
  echoItemsCalls: 1,
  idleSessions: 2,
  idleSocketSessions: 2,
  localCalls: 10,
  localRepetitions: 1,
  sequenceItems: 10,
  byteStreamBytes: 3 * 1024,
  byteStreamChunkBytes: 1024,
  streamMilliseconds: 0,
  maxStreams: 1,
  applicationHeapMebibytes: 1,
};
