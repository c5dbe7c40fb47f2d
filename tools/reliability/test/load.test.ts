import { describe, expect, test } from 'vitest';
import { sessionLoad } from '../src/load/session-load.ts';

// Fast mode of the load check (the report runs 10,000 sessions per transport): a server process and
// two client processes on 127.0.0.1, a few dozen sessions, half a second of calls. No timing assertions.
describe('session load', () => {
  for (const transport of ['tcp', 'ws'] as const) {
    test(`40 sessions held open over ${transport} in two client processes all answer, and the server counts every call`, async () => {
      const figures = await sessionLoad({
        transport,
        sessions: 40,
        clientProcesses: 2,
        callMilliseconds: 500,
        openConcurrency: 10,
        timeoutMs: 45_000,
      });
      expect(figures.failures).toEqual({});
      expect(figures.shortfall).toBeUndefined();
      expect(figures.reached).toBe(40);
      expect(figures.loaded.open).toBe(40);
      expect(figures.baseline.open).toBe(0);
      // Every session kept calling, and the server answered exactly the calls the clients saw come
      // back, plus the one check call each session made when it opened.
      expect(figures.callErrors).toBe(0);
      expect(figures.calls).toBeGreaterThan(40);
      expect(figures.afterCalls.calls).toBe(40 + figures.calls);
      // Memory is measured in the server's own process: holding the sessions grew its heap.
      expect(figures.loaded.heapUsed).toBeGreaterThan(figures.baseline.heapUsed);
      expect(figures.bytesPerSession).toBeGreaterThan(0);
      expect(figures.openFileLimit).toBeLessThanOrEqual(figures.hardOpenFileLimit);
    });
  }
});
