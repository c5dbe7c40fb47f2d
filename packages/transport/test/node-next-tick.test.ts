import { describe, expect, it } from 'vitest';
import { nodeNextTick } from '../src/node-next-tick.ts';

describe('nodeNextTick', () => {
  it("picks Node's process.nextTick", () => {
    const nextTick = (task: () => void) => task();
    expect(nodeNextTick({ process: { versions: { node: '22.0.0' }, nextTick } })).toBe(nextTick);
  });

  it('ignores a page polyfill: a process with nextTick but no versions.node', () => {
    const nextTick = (task: () => void) => setTimeout(task, 0);
    expect(nodeNextTick({ process: { nextTick } })).toBeUndefined();
    expect(nodeNextTick({ process: { nextTick, versions: {} } })).toBeUndefined();
    expect(nodeNextTick({ process: { nextTick, versions: { node: 22 } } })).toBeUndefined();
  });

  it('never throws on an odd or missing process', () => {
    for (const process of [undefined, null, 5, 'process', { versions: null }, { versions: { node: '22' } }]) {
      expect(nodeNextTick({ process })).toBeUndefined();
    }
    expect(nodeNextTick({})).toBeUndefined();
  });

  it('finds Node here (the tests run on Node)', () => {
    expect(nodeNextTick(globalThis)).toBeTypeOf('function');
  });
});
