import { describe, expect, test } from 'vitest';
import { localHandlerFor } from '../src/handlers/local-handler.ts';
import { PromiseHandler } from '../src/handlers/promise-handler.ts';
import type { ResultHandler, Settlement } from '../src/seam/capability-handler.ts';

// A peer can queue a long chain of pipelined calls, each on the previous one's result (one frame
// of a few megabytes holds 200,000). Settling the first must settle the rest one after the other:
// recursing once per link overflowed the stack, out of a microtask, which ends a Node process.

const links = 200_000;

/** A chain of `links` results, each the result of a call queued on the previous one. */
function chain(): { first: PromiseHandler; last: ResultHandler; settled: Settlement[] } {
  const first = new PromiseHandler();
  let last: ResultHandler = first;
  for (let link = 0; link < links; link++) last = last.call('next', []);
  const settled: Settlement[] = [];
  last.onSettled((settlement) => settled.push(settlement));
  return { first, last, settled };
}

describe('a long chain of pipelined calls', () => {
  test('settled with a value: every link fails (not a capability), flat, without a stack overflow', () => {
    const { first, settled } = chain();
    expect(() => first.settle({ kind: 'value', value: 1 })).not.toThrow();
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ kind: 'error' });
  });

  test('settled with a capability: every link follows the call it became, flat, and the last settles', async () => {
    const target = { next: () => 'end of the chain' };
    const { first, settled } = chain();
    expect(() => first.settle({ kind: 'capability', handler: localHandlerFor(target) })).not.toThrow();
    // The calls reach the target in order from the dispatch queue; the first link's result is a string, so
    // the second link's call on it fails, and so on down the chain.
    for (let turn = 0; turn < 10 && settled.length === 0; turn++) await Promise.resolve();
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ kind: 'error' });
  });

  test('a chain of results each following the next settles flat when the innermost does', () => {
    const results = Array.from({ length: links }, () => new PromiseHandler());
    for (let index = 0; index < links - 1; index++) {
      results[index + 1]!.retain();
      results[index]!.follow(results[index + 1]!);
    }
    const seen: Settlement[] = [];
    results[0]!.onSettled((settlement) => seen.push(settlement));
    expect(() => results[links - 1]!.settle({ kind: 'value', value: 42 })).not.toThrow();
    expect(seen).toEqual([{ kind: 'value', value: 42 }]);
  });
});
