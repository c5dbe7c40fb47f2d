// Shared vitest settings for every workspace project: tests read dependency sources through the
// `@msc/source` export condition, so no package has to be built before its dependents are tested.

import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

/** Vitest project settings for the package whose `vitest.config.ts` is at `configUrl`. */
export function packageProject(configUrl: string, overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  const root = dirname(fileURLToPath(configUrl));
  const manifest = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { name?: string };
  return {
    root,
    resolve: { conditions: ['@msc/source'] },
    ssr: { resolve: { conditions: ['@msc/source'] } },
    test: {
      name: manifest.name ?? basename(root),
      include: ['test/**/*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 20_000,
      execArgv: ['--expose-gc'],
      ...overrides,
    },
  };
}
