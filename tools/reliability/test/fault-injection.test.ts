import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CrashWatch } from '../src/crash-watch.ts';
import { type FaultRun, runFaultSeed } from '../src/fault-workload.ts';
import { reliabilityMode } from '../src/mode.ts';

const mode = reliabilityMode();
const seeds =
  mode.seed !== undefined ? [mode.seed] : Array.from({ length: mode.faultSeeds }, (_, index) => index + 1);

describe('fault injection: a mixed workload under seeded breaks and delays', () => {
  let watch: CrashWatch;
  beforeAll(() => {
    watch = new CrashWatch();
  });
  afterAll(() => {
    watch[Symbol.dispose]();
  });

  test(`every value settles and both sides drain, for ${seeds.length} seeds`, async () => {
    const runs: FaultRun[] = [];
    for (const seed of seeds) {
      const run = await runFaultSeed(seed);
      runs.push(run);
      if (run.failures.length > 0 || watch.incidents.length > 0) {
        // The seed is all it takes to replay the run exactly.
        throw new Error(
          `seed ${seed} failed (replay: RELIABILITY_SEED=${seed} npx vitest run --project @msc/reliability)\n` +
            `plan ${JSON.stringify(run.plan)}\n${[...run.failures, ...watch.incidents].join('\n')}`,
        );
      }
    }
    const broken = runs.filter((run) => run.broken).length;
    const operations = runs.reduce((total, run) => total + run.operations, 0);
    console.info(`${runs.length} seeds, ${operations} operations, ${broken} broken mid-workload`);
    expect(watch.incidents).toEqual([]);
    if (mode.seed === undefined) expect(broken).toBeGreaterThan(0);
  });

  test(`with resumption, a cut is survived: every value right, tables drain, for ${seeds.length} seeds`, async () => {
    const runs: FaultRun[] = [];
    for (const seed of seeds) {
      const run = await runFaultSeed(seed, { resume: true });
      runs.push(run);
      if (run.failures.length > 0 || watch.incidents.length > 0) {
        throw new Error(
          `seed ${seed} with resume failed (replay the plan: RELIABILITY_SEED=${seed} npx vitest run --project @msc/reliability)\n` +
            `plan ${JSON.stringify(run.plan)}\n${[...run.failures, ...watch.incidents].join('\n')}`,
        );
      }
    }
    const cut = runs.filter((run) => run.plan.kind !== 'none');
    const resumed = runs.filter((run) => run.resumed).length;
    const lost = runs.filter((run) => run.broken).length;
    console.info(`${runs.length} seeds with resume: ${cut.length} cut, ${resumed} resumed, ${lost} lost`);
    // A lost session is one cut before its peer authenticated (early in the handshake).
    for (const run of runs.filter((each) => each.broken)) expect(run.resumes).toBe(0);
    expect(watch.incidents).toEqual([]);
    if (mode.seed === undefined) expect(resumed).toBeGreaterThan(0);
  });

  test('a seed replays exactly: the same message trace twice', async () => {
    for (const seed of mode.seed !== undefined ? [mode.seed] : [3, 7, 11]) {
      const first = await runFaultSeed(seed);
      const second = await runFaultSeed(seed);
      expect(second.plan).toEqual(first.plan);
      expect(second.trace.length).toBeGreaterThan(0);
      expect(second.trace).toEqual(first.trace);
    }
  });
});
