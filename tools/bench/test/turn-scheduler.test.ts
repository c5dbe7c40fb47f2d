import { describe, expect, it } from 'vitest';
import { runOrder } from '../src/measure.ts';
import { type TurnPosition, TurnScheduler, type TurnTaker } from '../src/turn-scheduler.ts';
import { workloads } from '../src/workloads.ts';

/** Children that record the order they were granted turns in (`log`), by name. */
function children(scheduler: TurnScheduler, names: readonly string[]) {
  const log: string[] = [];
  const takers = names.map((name, index): TurnTaker => ({ index, go: () => log.push(name) }));
  for (const taker of takers) scheduler.join(taker);
  return { log, takers };
}

describe('turns of one round', () => {
  it('grants nothing while a child is still loading, then one turn at a time', () => {
    const scheduler = new TurnScheduler(3);
    const { log, takers } = children(scheduler, ['a', 'b', 'c']);
    scheduler.request(takers[0]!, [0, 0]);
    scheduler.request(takers[1]!, [0, 0]);
    expect(log).toEqual([]);
    expect(scheduler.busy()).toEqual([takers[2]]);
    scheduler.request(takers[2]!, [0, 0]);
    expect(log).toEqual(['a']);
    expect(scheduler.busy()).toEqual([takers[0]]);
    // The holder is measuring: the others wait for it, whatever they asked for.
    scheduler.request(takers[1]!, [0, 0]);
    expect(log).toEqual(['a']);
  });

  it('goes in lockstep: run i of a workload for every child before run i + 1, workload 0 before 1', () => {
    const scheduler = new TurnScheduler(3);
    const { log, takers } = children(scheduler, ['a', 'b', 'c']);
    // What each child asks for, in order; c has no workload 0 (n/a for it). After its last run a child exits.
    const both: TurnPosition[] = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const scripts = new Map<TurnTaker, TurnPosition[]>([
      [takers[0]!, [...both]],
      [takers[1]!, [...both]],
      [takers[2]!, both.slice(2)],
    ]);
    for (const [taker, script] of scripts) scheduler.request(taker, script.shift()!);
    // Each grant is answered by its holder once it has run: it asks for its next position, or leaves.
    for (let granted = 1; granted <= 10; granted++) {
      expect(log.length).toBe(granted);
      const holder = takers[['a', 'b', 'c'].indexOf(log.at(-1)!)]!;
      const next = scripts.get(holder)!.shift();
      if (next === undefined) scheduler.leave(holder);
      else scheduler.request(holder, next);
    }
    // Workload 0: run 0 a, b; run 1 b, a (the order rotates by one place per run). Then workload 1
    // with c: run 0 a, b, c; run 1 b, c, a.
    expect(log.join(' ')).toBe('a b b a a b c b c a');
    expect(scheduler.busy()).toEqual([]);
  });

  it('passes the turn on when its holder exits, and when a loading child dies', () => {
    const scheduler = new TurnScheduler(3);
    const { log, takers } = children(scheduler, ['a', 'b', 'c']);
    scheduler.request(takers[0]!, [0, 0]);
    scheduler.request(takers[1]!, [0, 0]);
    scheduler.leave(takers[2]!); // died while loading: the others need not wait for it
    expect(log).toEqual(['a']);
    scheduler.leave(takers[0]!); // the holder exits (done or killed): the turn passes on
    expect(log).toEqual(['a', 'b']);
    scheduler.request(takers[0]!, [0, 1]); // a child that left asks for nothing any more
    expect(log).toEqual(['a', 'b']);
    scheduler.leave(takers[1]!);
    expect(scheduler.busy()).toEqual([]);
  });

  it('positions count workloads in the order a child runs them: the delayed W3d after every undelayed one', () => {
    const ids = runOrder.map((workload) => workload.id);
    expect(ids).toHaveLength(workloads.length);
    const firstDelayed = runOrder.findIndex((workload) => workload.delayed);
    expect(ids[firstDelayed]).toBe('W3d');
    expect(runOrder.slice(firstDelayed).every((workload) => workload.delayed)).toBe(true);
    // In the list the report prints, W3d sits among the undelayed ones: its index there would let a
    // child that reached W3d jump the queue of children still on L1 and L2.
    expect(workloads.findIndex((workload) => workload.delayed)).toBeLessThan(workloads.length - 1);
  });

  it('W5, which forces collections, runs after every other undelayed workload and before W3d', () => {
    const ids = runOrder.map((workload) => workload.id);
    expect(ids.slice(0, ids.indexOf('W3d'))).toEqual([
      ...workloads
        .filter((workload) => !workload.delayed && workload.id !== 'W5')
        .map((workload) => workload.id),
      'W5',
    ]);
    // The report keeps its own order.
    expect(workloads.findIndex((workload) => workload.id === 'W5')).toBeLessThan(
      workloads.findIndex((workload) => workload.id === 'S2'),
    );
  });
});
