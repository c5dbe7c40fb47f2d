/**
 * How much the suite runs. Fast mode fits the normal test run (well under a minute on two shared
 * cores); `RELIABILITY_LONG=1` runs many more seeds and cases; `RELIABILITY_SEED=<n>` replays one
 * fault-injection seed (and seeds the fuzzer's generators).
 */
export interface ReliabilityMode {
  /** Whether `RELIABILITY_LONG=1`. */
  readonly long: boolean;
  /** The seed to replay, from `RELIABILITY_SEED`; `undefined` runs the usual range. */
  readonly seed: number | undefined;
  /** Fault-injection seeds to run: 50 fast, 1,000 long. */
  readonly faultSeeds: number;
  /** Fuzzer cases per input family (random bytes, mutated frames, message sequences). */
  readonly fuzzRuns: number;
}

/** Reads the mode from the environment (or from `environment` when given, for the report script). */
export function reliabilityMode(environment: NodeJS.ProcessEnv = process.env): ReliabilityMode {
  const long = environment['RELIABILITY_LONG'] === '1';
  const rawSeed = environment['RELIABILITY_SEED'];
  const seed = rawSeed === undefined || rawSeed === '' ? undefined : Number(rawSeed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new RangeError(`RELIABILITY_SEED must be an integer, got '${rawSeed}'`);
  }
  return { long, seed, faultSeeds: long ? 1_000 : 50, fuzzRuns: long ? 2_000 : 150 };
}
