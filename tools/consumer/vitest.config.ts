import { defineProject } from 'vitest/config';
import { packageProject } from '../../config/vitest.shared.ts';

// One file builds and packs every package and runs npm install twice (it may reach the registry): its setup gets
// several minutes; a test may wait for the type checks started in it.
export default defineProject(packageProject(import.meta.url, { testTimeout: 480_000, hookTimeout: 600_000 }));
