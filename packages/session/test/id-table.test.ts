import { describe, expect, it } from 'vitest';
import { IdTable } from '../src/id-table.ts';

/** A small deterministic generator, so that a failure names a seed that replays it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('IdTable', () => {
  it('holds ascending ids that come and go, as a question table sees them', () => {
    const table = new IdTable<string>();
    for (let id = 0; id < 1000; id += 1) {
      table.set(id, `q${id}`);
      expect(table.get(id)).toBe(`q${id}`);
      if (id >= 3) expect(table.delete(id - 3)).toBe(true);
    }
    expect(table.size).toBe(3);
    expect(table.drain()).toEqual(['q997', 'q998', 'q999']);
    expect(table.size).toBe(0);
    expect(table.get(999)).toBeUndefined();
  });

  it('keeps an id whose slot a long-lived id holds, and finds both', () => {
    const table = new IdTable<number>();
    table.set(0, 0);
    // Every 32nd id shares slot 0 with the live id 0 once the table has grown to 32 slots.
    for (let id = 1; id <= 128; id += 1) {
      table.set(id, id);
      if (id % 32 !== 0) table.delete(id);
    }
    expect(table.size).toBe(5);
    for (const id of [0, 32, 64, 96, 128]) expect(table.get(id)).toBe(id);
    expect(table.has(1)).toBe(false);
    expect(table.drain()).toEqual([0, 32, 64, 96, 128]);
  });

  it('grows to 32 slots on a collision, not past, for one long-lived id', () => {
    const table = new IdTable<number>();
    table.set(0, 0);
    for (let id = 1; id <= 1000; id += 1) {
      table.set(id, id);
      table.delete(id);
    }
    expect(table.slotCount).toBe(32);
    expect(table.size).toBe(1);
  });

  it('takes any id a peer sends: negative, fractional, past 2^32, colliding', () => {
    const table = new IdTable<string>();
    const ids = [-1, -8, 0.5, 2 ** 32, 2 ** 32 + 8, 2 ** 53 - 1, 8, 16, 0];
    for (const id of ids) table.set(id, String(id));
    expect(table.size).toBe(ids.length);
    for (const id of ids) expect(table.get(id)).toBe(String(id));
    expect(table.has(1)).toBe(false);
    expect(table.get(-2)).toBeUndefined();
    expect(table.drain()).toEqual([...ids].sort((a, b) => a - b).map(String));
  });

  it('replaces the entry of an id it holds, in a slot or beside them', () => {
    const table = new IdTable<string>();
    table.set(0, 'a');
    table.set(8, 'b');
    table.set(0, 'c');
    table.set(8, 'd');
    expect(table.size).toBe(2);
    expect([table.get(0), table.get(8)]).toEqual(['c', 'd']);
  });

  it('behaves as a Map under random sets, deletes and lookups (seeds 1 to 20)', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const next = random(seed);
      const table = new IdTable<number>();
      const model = new Map<number, number>();
      let nextId = 0;
      for (let step = 0; step < 5000; step += 1) {
        const roll = next();
        if (roll < 0.45) {
          // Mostly ascending ids, sometimes one a hostile peer picks.
          const id = next() < 0.9 ? nextId++ : Math.floor(next() * 4096) - 64;
          table.set(id, step);
          model.set(id, step);
        } else if (roll < 0.9) {
          const keys = [...model.keys()];
          const id = keys.length > 0 && next() < 0.9 ? keys[Math.floor(next() * keys.length)]! : nextId + 5;
          expect(table.delete(id), `seed ${seed} step ${step}`).toBe(model.delete(id));
        } else {
          const id = Math.floor(next() * (nextId + 10));
          expect(table.get(id), `seed ${seed} step ${step}`).toBe(model.get(id));
          expect(table.has(id)).toBe(model.has(id));
        }
        expect(table.size).toBe(model.size);
      }
      const drained = table.drain();
      expect(drained).toEqual([...model.entries()].sort((a, b) => a[0] - b[0]).map((entry) => entry[1]));
    }
  });

  it('shrinks its slots when a burst of entries has left', () => {
    const table = new IdTable<number>();
    for (let id = 0; id < 10_000; id += 1) table.set(id, id);
    expect(table.slotCount).toBeGreaterThanOrEqual(10_000);
    expect(table.slotCount).toBeLessThanOrEqual(40_000);
    for (let id = 0; id < 9_999; id += 1) table.delete(id);
    // One live entry left: the slots went back to a few, and the entry is still found.
    expect(table.get(9_999)).toBe(9_999);
    expect(table.size).toBe(1);
    expect(table.slotCount).toBe(32);
  });
});
