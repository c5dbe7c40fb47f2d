import { defineProject } from 'vitest/config';

// The smoke tests drive every adapter through one tiny iteration of each workload (real sockets on
// 127.0.0.1, real MessageChannels, a real child process); they check the wiring, not speed.
export default defineProject({
  // Future @msc adapters read the workspace packages' sources, as every other project's tests do.
  resolve: { conditions: ['@msc/source'] },
  ssr: { resolve: { conditions: ['@msc/source'] } },
  test: {
    name: '@msc/bench',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
