import { describe, expect, test } from 'vitest';
import { type FuzzFamily, runFuzzFamily } from '../src/hostile-fuzz.ts';
import { reliabilityMode } from '../src/mode.ts';

const mode = reliabilityMode();

describe('a hostile peer cannot crash the process, reach the secret, or disturb other sessions', () => {
  const families: [FuzzFamily, string][] = [
    ['random-bytes', 'random bytes, with or without a valid hello first'],
    [
      'mutated-frames',
      'valid frames with flipped, inserted and truncated bytes, dropped and reordered frames',
    ],
    [
      'message-sequences',
      'generated messages: forged ids, wrong order, huge counts, bad types, bogus streams',
    ],
    ['valid-sequences', 'valid message sequences keep the session up and drain it back to its roots'],
  ];
  for (const [family, scenario] of families) {
    test(scenario, async () => {
      const runs = family === 'valid-sequences' ? Math.ceil(mode.fuzzRuns / 3) : mode.fuzzRuns;
      const figures = await runFuzzFamily(family, { runs, seed: mode.seed });
      expect(figures.incidents).toEqual([]);
      expect(figures.secretInvocations).toBe(0);
      expect(figures.cases).toBeGreaterThanOrEqual(runs);
      expect(figures.bystanderCalls).toBeGreaterThanOrEqual(figures.cases);
      if (family === 'valid-sequences') expect(figures.outcomes).toEqual({ up: figures.cases });
      console.info(
        `${family}: ${JSON.stringify(figures.outcomes)} in ${Math.round(figures.milliseconds)} ms`,
      );
    });
  }
});
