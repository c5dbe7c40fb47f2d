import { defineProject } from 'vitest/config';
import { packageProject } from '../../config/vitest.shared.ts';

// Two examples run at a time (two shared cores); each run is bounded by the test itself. The hook builds the
// packages (cold: about a minute) and type-checks every example in one program.
export default defineProject(
  packageProject(import.meta.url, { testTimeout: 60_000, hookTimeout: 600_000, maxConcurrency: 2 }),
);
