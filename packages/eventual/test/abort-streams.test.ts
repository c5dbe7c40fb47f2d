import { describe, expect, test, vi } from 'vitest';
import { abortStreamsIn } from '../src/handler.ts';
import { AbortedError, sequence } from '../src/index.ts';

/**
 * `abortStreamsIn` walks the arguments of a call that never reached its target (a refused facet
 * or revoked method, a broken capability). The arguments are the caller's data: shared subtrees and
 * cycles are legal there, and must cost one visit each, not one per path.
 */

/**
 * A node whose key listing is counted: the walk lists an object's keys once per visit. Fails the
 * walk (instead of running for hours) once it visits far more nodes than the graph has.
 */
function counted(target: Record<string, unknown>, visits: { count: number }): Record<string, unknown> {
  return new Proxy(target, {
    ownKeys(inner) {
      if (++visits.count > 10_000) throw new Error('the walk visits shared nodes once per path');
      return Reflect.ownKeys(inner);
    },
  });
}

describe('abortStreamsIn on shared and cyclic data', () => {
  test('a DAG 60 levels deep (2^60 paths) is walked once per node, and its stream end is aborted', async () => {
    const visits = { count: 0 };
    const [items, writer] = sequence<number>();
    let shared = counted({ items }, visits);
    for (let depth = 0; depth < 60; depth++) shared = counted({ left: shared, right: shared }, visits);
    abortStreamsIn([shared], new Error('refused'));
    expect(visits.count).toBe(61);
    await expect(writer.flush()).rejects.toBeInstanceOf(AbortedError);
  });

  test('a cycle is walked once', () => {
    sequence<number>(); // the walk exists once a stream was made (see below)
    const visits = { count: 0 };
    const target: Record<string, unknown> = {};
    const node = counted(target, visits);
    target.self = node;
    target.list = [node, new Map([[node, node]]), new Set([node])];
    abortStreamsIn(node, new Error('refused'));
    expect(visits.count).toBe(1);
  });
});

describe('the walk exists once a stream was made', () => {
  // Every stream end sits on a queue, and making the queue installs the walk: until then no value
  // can hold a stream end, and a program that makes none (a page without streams) carries no walk.
  test('before any stream a failed call walks nothing; the first stream made installs the walk', async () => {
    vi.resetModules(); // a program that has made no stream yet
    const { abortStreamsIn: abortIn } = await import('../src/handler.ts');
    const eventual = await import('../src/index.ts');
    const visits = { count: 0 };
    abortIn([counted({ data: 1 }, visits)], new Error('refused'));
    expect(visits.count).toBe(0);
    const [items, writer] = eventual.sequence<number>();
    abortIn([counted({ items }, visits)], new Error('refused'));
    expect(visits.count).toBe(1);
    await expect(writer.flush()).rejects.toBeInstanceOf(eventual.AbortedError);
  });
});
