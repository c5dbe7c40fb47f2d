import { describe, expect, it } from 'vitest';
import { registry } from '../src/adapters/registry.ts';
import { measureAdapter } from '../src/measure.ts';
import { smokeProfile } from '../src/profile.ts';

/** Workloads every adapter over a transport must produce a row for (values or n/a). */
const transportWorkloads = ['W1', 'W2', 'W3', 'W3d', 'W4b', 'W4o', 'W5', 'S1', 'S2'];

describe('every adapter runs one tiny iteration of each workload', () => {
  for (const entry of registry) {
    it(`${entry.key} completes every workload with checked results`, async () => {
      const adapter = await entry.load();
      const rows = await measureAdapter(adapter, smokeProfile);

      // The local-call ratios (L1, L2) measure no transport: one @msc row carries them, beside
      // their floors.
      const local =
        entry.key === '@msc/in-process' || entry.key.startsWith('floor/local-calls') ? ['L1', 'L2'] : [];
      const expected = adapter.kind === 'codec' ? ['W1', 'W4b', 'W4o'] : [...transportWorkloads, ...local];
      expect(rows.map((row) => row.workload).sort()).toEqual([...expected].sort());
      for (const row of rows) {
        // A wrong echo or sum shows up as an "error:" note; n/a is only allowed for streams and for
        // the workloads the adapter declares it cannot run.
        expect(row.note ?? '', `${row.workload}: ${row.note}`).not.toMatch(/^error/);
        if (row.median === null && adapter.notApplicable?.[row.workload] !== undefined) {
          expect(row.note).toBe(`n/a: ${adapter.notApplicable[row.workload]}`);
        } else if (row.median === null) expect(row.workload).toMatch(/^S[12]$/);
        else {
          expect(row.runs).toHaveLength(1);
          expect(Number.isFinite(row.median)).toBe(true);
        }
      }
    });
  }
});

describe('the adapters of a transport report under it', () => {
  it('capnweb, birpc and the floors are measured over WebSocket; the floors also over TCP; capnweb, birpc and the floor in a worker', () => {
    const keys = registry.map((entry) => entry.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'capnweb/websocket',
        'birpc/websocket',
        'floor/websocket',
        'floor/tcp',
        'floor/memory',
        'floor/worker',
        'birpc/worker',
        'capnweb/worker',
        '@msc/worker',
      ]),
    );
  });
});
