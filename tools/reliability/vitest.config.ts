import { defineProject } from 'vitest/config';
import { packageProject } from '../../config/vitest.shared.ts';

// Fast mode by default (a few hundred cases, well under a minute on two shared cores); RELIABILITY_LONG=1 runs
// more seeds and iterations with longer timeouts. Files run one at a time: the suite measures heap and
// buffered bytes, which other files running in parallel in the same worker pool would blur.
const long = process.env.RELIABILITY_LONG === '1';

export default defineProject(
  packageProject(import.meta.url, {
    testTimeout: long ? 1_800_000 : 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  }),
);
