import { defineProject } from 'vitest/config';
import { packageProject } from '../../config/vitest.shared.ts';

// One file builds and packs every package and runs npm install twice (it may reach the registry): its setup gets
// several minutes; a test may wait for the type checks started in it. It runs after every other project
// (groupOrder 1): its `turbo run build` rewrites `packages/*/dist`, which tools/readme-examples builds and reads
// too, so the two never build at once, and no other test's files are rewritten under it.
export default defineProject(
  packageProject(import.meta.url, {
    testTimeout: 480_000,
    hookTimeout: 600_000,
    sequence: { groupOrder: 1 },
  }),
);
