import { describe, expect, it } from 'vitest';
import type { Adapter, StartOptions } from '../src/adapter.ts';
import { floorAdapter, valueCodec } from '../src/adapters/floor.ts';
import { memoryNetwork } from '../src/links/memory-network.ts';
import { measureAdapter } from '../src/measure.ts';
import { smokeProfile } from '../src/profile.ts';

describe('workloads an adapter declares not applicable', () => {
  it('get an n/a row with the reason, and the delayed endpoint is never started', async () => {
    const floor = floorAdapter('floor: MessageChannel', memoryNetwork, valueCodec);
    const starts: StartOptions[] = [];
    const adapter: Adapter = {
      ...floor,
      notApplicable: { W3d: 'no way to delay sends', W5: 'server ends elsewhere' },
      start(options) {
        starts.push(options);
        return floor.start(options);
      },
    };

    const rows = await measureAdapter(adapter, smokeProfile);

    expect(starts).toEqual([{ delayMilliseconds: 0 }]);
    const byWorkload = new Map(rows.map((row) => [row.workload, row]));
    expect(byWorkload.get('W3d')).toMatchObject({ median: null, note: 'n/a: no way to delay sends' });
    expect(byWorkload.get('W5')).toMatchObject({ median: null, note: 'n/a: server ends elsewhere' });
    expect(byWorkload.get('W1')?.median).toEqual(expect.any(Number));
    expect(rows).toHaveLength(9);
  });
});

describe('the order a child measures in', () => {
  it('is runOrder: W5 after S1 and S2 on the same session, W3d last on its own endpoint', async () => {
    const floor = floorAdapter('floor: MessageChannel', memoryNetwork, valueCodec);
    const measured: string[] = [];
    await measureAdapter(floor, smokeProfile, { onRow: (row) => measured.push(row.workload) });
    expect(measured).toEqual(['W1', 'W2', 'W3', 'W4b', 'W4o', 'S1', 'S2', 'W5', 'W3d']);
  });
});

describe('the turns a child asks for', () => {
  it('come in runOrder: their positions never go back, whatever --workloads keeps', async () => {
    const floor = floorAdapter('floor: MessageChannel', memoryNetwork, valueCodec);
    for (const workloads of [undefined, ['S2', 'W5', 'W1']]) {
      const positions: [number, number][] = [];
      await measureAdapter(
        floor,
        { ...smokeProfile, runs: 2 },
        {
          ...(workloads === undefined ? {} : { workloads }),
          beforeRun: async (workload, run) => {
            positions.push([workload, run]);
          },
        },
      );
      expect(positions.length).toBeGreaterThan(0);
      for (let index = 1; index < positions.length; index++) {
        const [workload, run] = positions[index]!;
        const [previousWorkload, previousRun] = positions[index - 1]!;
        expect(workload > previousWorkload || (workload === previousWorkload && run > previousRun)).toBe(
          true,
        );
      }
    }
  });
});
