import { describe, expect, it } from 'vitest';
import { addRatios, formatTable, pairedRatio } from '../src/report.ts';
import type { ResultRow } from '../src/result-row.ts';

function row(overrides: Partial<ResultRow> & Pick<ResultRow, 'library' | 'kind' | 'median'>): ResultRow {
  return {
    workload: 'W1',
    title: 'W1 latency',
    transport: 'memory',
    unit: 'µs/call',
    better: 'lower',
    min: overrides.median,
    max: overrides.median,
    runs: overrides.median === null ? [] : [overrides.median],
    ...overrides,
  };
}

describe('ratios', () => {
  it('a library twice as slow as the best peer and four times the floor reads 2× and 4×', () => {
    const rows = addRatios([
      row({ library: 'fast', kind: 'peer', median: 10 }),
      row({ library: 'slow', kind: 'peer', median: 20 }),
      row({ library: 'floor', kind: 'floor', median: 5 }),
    ]);
    expect(rows[1]!.ratioToBestPeer).toBe(2);
    expect(rows[1]!.ratioToFloor).toBe(4);
    expect(rows[0]!.ratioToBestPeer).toBe(1);
    expect(rows[2]!.ratioToBestPeer).toBeNull();
  });

  it('runs measured in lockstep are compared in pairs: a slow phase that caught one row more often cancels out', () => {
    // The subject is twice the floor in every pair; a slow phase (1.5×) caught two of its runs but
    // only one of the floor's, so its median reads 3× the floor's.
    const subject = row({ library: '@msc', kind: 'subject', median: 30, runs: [20, 30, 30] });
    const floor = row({ library: 'floor', kind: 'floor', median: 10, runs: [10, 15, 10] });
    const peer = row({ library: 'peer', kind: 'peer', median: 15, runs: [10, 15, 15] });
    addRatios([subject, peer, floor]);
    expect(subject.ratioToFloor).toBe(2);
    expect(subject.ratioToBestPeer).toBe(2);
    // Unequal run counts (rows of different runs): the medians are compared.
    const other = row({ library: 'floor', kind: 'floor', median: 10, runs: [10, 10] });
    expect(pairedRatio(subject, other)).toBe(3);
    // Equal counts, but one row missed a round (its child failed there): runs do not line up.
    expect(pairedRatio(subject, { ...floor, missedRounds: 1 })).toBe(3);
  });

  it('for rates a library with half the calls per second also reads 2×', () => {
    const rows = addRatios([
      row({ library: 'fast', kind: 'peer', median: 1000, better: 'higher' }),
      row({ library: 'subject', kind: 'subject', median: 500, better: 'higher' }),
    ]);
    expect(rows[1]!.ratioToBestPeer).toBe(2);
    expect(rows[1]!.ratioToFloor).toBeNull();
  });

  it('rows of another transport or workload are not compared', () => {
    const rows = addRatios([
      row({ library: 'a', kind: 'peer', median: 10 }),
      row({ library: 'b', kind: 'peer', median: 1, transport: 'websocket' }),
      row({ library: 'c', kind: 'peer', median: 1, workload: 'W3' }),
    ]);
    expect(rows[0]!.ratioToBestPeer).toBe(1);
  });
});

describe('table', () => {
  it('an n/a cell prints its reason instead of numbers', () => {
    const text = formatTable([
      row({
        library: 'capnweb',
        kind: 'peer',
        median: 42,
        workload: 'S1',
        unit: 'items/s',
        better: 'higher',
      }),
      row({ library: 'birpc', kind: 'peer', median: null, workload: 'S1', note: 'n/a: no streams' }),
    ]);
    expect(text).toMatch(/birpc\s+n\/a: no streams/);
    expect(text).toMatch(/capnweb\s+42\.0/);
  });
});

describe('before/after', () => {
  it('a build twice as slow as its baseline reads 2× before, and the baseline row sorts right after it', () => {
    const rows = addRatios([
      row({ library: '@msc', kind: 'subject', median: 20 }),
      row({ library: 'capnweb', kind: 'peer', median: 10 }),
      row({ library: '@msc@abc1234', kind: 'subject', median: 10, baselineOf: '@msc' }),
    ]);
    expect(rows[0]!.ratioToBaseline).toBe(2);
    expect(rows[2]!.ratioToBaseline).toBeUndefined();
    const lines = formatTable(rows).split('\n');
    expect(lines.find((line) => line.includes('transport'))).toContain('×before');
    const libraries = lines.filter((line) => line.startsWith('  memory')).map((line) => line.split(/\s+/)[2]);
    expect(libraries).toEqual(['@msc', '@msc@abc1234', 'capnweb']);
    expect(lines.find((line) => line.includes('@msc ') && line.includes('2.00×'))).toMatch(/2\.00×$/);
  });

  it('without baseline rows there is no ×before column', () => {
    const rows = addRatios([row({ library: '@msc', kind: 'subject', median: 20 })]);
    expect(formatTable(rows)).not.toContain('×before');
  });
});
