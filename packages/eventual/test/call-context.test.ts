import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import {
  CallAbortError,
  type CallContext,
  CallTimeoutError,
  callContext,
  withOptions,
} from '../src/context.ts';
import { type Proxy, proxy } from '../src/index.ts';

/** A worker whose methods report what their call context did. */
interface IWorker {
  /** Waits until its signal fires (or `ms` passed), then says why it stopped. */
  work(ms: number): Promise<string>;
  /** The context it was dispatched with: deadline left, whether it had a signal that fired. */
  remaining(): Promise<number>;
  /** Forwards to `next.remaining()` in its synchronous part. */
  forward(next: Proxy<IWorker>): Promise<number>;
  /** Forwards after an await, passing the captured context on. */
  forwardLater(next: Proxy<IWorker>): Promise<number>;
  /** A worker usable at once, after `ms`. */
  later(ms: number): Promise<Proxy<IWorker>>;
}

class Worker implements IWorker {
  readonly log: string[];
  readonly contexts: CallContext[] = [];
  constructor(log: string[] = []) {
    this.log = log;
  }
  work(ms: number): Promise<string> {
    const context = callContext();
    this.contexts.push(context);
    this.log.push('work');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('done'), ms);
      context.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        const reason = context.signal.reason as Error;
        this.log.push(`aborted: ${reason.name}`);
        resolve(reason.name);
      });
    });
  }
  async remaining(): Promise<number> {
    return callContext().remainingMs();
  }
  forward(next: Proxy<IWorker>): Promise<number> {
    return next.remaining();
  }
  async forwardLater(next: Proxy<IWorker>): Promise<number> {
    const context = callContext();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return withOptions(next, context).remaining();
  }
  async later(ms: number): Promise<Proxy<IWorker>> {
    this.log.push('later');
    await new Promise((resolve) => setTimeout(resolve, ms));
    return proxy<IWorker>(new Worker(this.log));
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('call context, in one thread', () => {
  test('aborting before dispatch rejects at once and the method never runs', async () => {
    const worker = new Worker();
    using remote = proxy<IWorker>(worker);
    const controller = new AbortController();
    const result = withOptions(remote, { signal: controller.signal }).work(1000);
    controller.abort();
    const error = await result.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(CallAbortError);
    expect((error as Error).name).toBe('AbortError');
    await tick();
    expect(worker.log).toEqual([]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('aborting during the call rejects the caller at once and fires the callee signal', async () => {
    const worker = new Worker();
    using remote = proxy<IWorker>(worker);
    const controller = new AbortController();
    const result = withOptions(remote, { signal: controller.signal }).work(1000);
    await tick();
    expect(worker.log).toEqual(['work']);
    controller.abort('stop');
    await expect(result).rejects.toMatchObject({ name: 'AbortError', cause: 'stop' });
    expect(worker.log).toEqual(['work', 'aborted: AbortError']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('aborting after the call settled is a no-op', async () => {
    const worker = new Worker();
    using remote = proxy<IWorker>(worker);
    const controller = new AbortController();
    const result = withOptions(remote, { signal: controller.signal }).work(1);
    expect(await result).toBe('done');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    expect(await result).toBe('done');
    expect(worker.contexts[0]!.signal.aborted).toBe(false);
  });

  test('a cancelled pipelined chain rejects every link, and the pipelined call never runs', async () => {
    const log: string[] = [];
    using remote = proxy<IWorker>(new Worker(log));
    const controller = new AbortController();
    const next = withOptions(remote, { signal: controller.signal }).later(20);
    const work = next.work(1000);
    const deeper = next.later(1).remaining();
    await tick();
    controller.abort();
    for (const result of [next, work, deeper]) {
      await expect(result).rejects.toBeInstanceOf(CallAbortError);
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(log).toEqual(['later']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('a deadline rejects the caller with TimeoutError and fires the callee signal', async () => {
    const worker = new Worker();
    using remote = proxy<IWorker>(worker);
    const result = withOptions(remote, { timeoutMs: 20 }).work(1000);
    const error = await result.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect((error as Error).name).toBe('TimeoutError');
    await tick();
    expect(worker.log).toEqual(['work', 'aborted: TimeoutError']);
  });

  test('a result that settles once the deadline passed, before the deadline timer ran, is the timeout', async () => {
    class Busy {
      async spin(ms: number): Promise<string> {
        // Holds the event loop past the caller's deadline, so the deadline's timer cannot run first.
        const until = performance.now() + ms;
        while (performance.now() < until) {}
        return 'done';
      }
    }
    using remote = proxy<Busy>(new Busy());
    const result = withOptions(remote, { timeoutMs: 10 }).spin(40);
    await expect(result).rejects.toBeInstanceOf(CallTimeoutError);
    // Within the deadline the value still wins.
    expect(await withOptions(remote, { timeoutMs: 5_000 }).spin(1)).toBe('done');
  });

  test('calls made within a call inherit its deadline, in the synchronous part and past an await', async () => {
    using first = proxy<IWorker>(new Worker());
    using second = proxy<IWorker>(new Worker());
    const timed = withOptions(first, { timeoutMs: 1000 });
    const direct = await timed.forward(second);
    expect(direct).toBeGreaterThan(900);
    expect(direct).toBeLessThanOrEqual(1000);
    const later = await timed.forwardLater(second);
    expect(later).toBeGreaterThan(900);
    expect(later).toBeLessThan(1000);
    // Without a context nothing is inherited.
    expect(await first.forward(second)).toBe(Number.POSITIVE_INFINITY);
  });

  test('an inherited deadline that passes fires the inner call with TimeoutError', async () => {
    const log: string[] = [];
    const inner = new Worker(log);
    using innerProxy = proxy<IWorker>(inner);
    class Relay {
      work(ms: number): Promise<string> {
        return innerProxy.work(ms);
      }
    }
    using relay = proxy<Pick<IWorker, 'work'>>(new Relay());
    await expect(withOptions(relay, { timeoutMs: 20 }).work(1000)).rejects.toBeInstanceOf(CallTimeoutError);
    await tick();
    expect(log).toEqual(['work', 'aborted: TimeoutError']);
  });

  test('callContext() outside a dispatch says how to use it', () => {
    expect(() => callContext()).toThrow(/before the first await/);
  });

  test('a call without options has a context with no deadline whose signal does not fire', async () => {
    const worker = new Worker();
    using remote = proxy<IWorker>(worker);
    expect(await remote.work(1)).toBe('done');
    expect(worker.contexts[0]!.deadline).toBeUndefined();
    expect(worker.contexts[0]!.signal.aborted).toBe(false);
    expect(await remote.remaining()).toBe(Number.POSITIVE_INFINITY);
  });

  test('withOptions refuses what is not a proxy and options of the wrong type', () => {
    using remote = proxy<IWorker>(new Worker());
    expect(() => withOptions({}, {})).toThrow(TypeError);
    expect(() => withOptions(remote, { timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => withOptions(remote, { signal: {} as AbortSignal })).toThrow(/AbortSignal/);
  });

  test('an already aborted signal rejects without dispatching', async () => {
    const worker = new Worker();
    using remote = proxy<IWorker>(worker);
    await expect(withOptions(remote, { signal: AbortSignal.abort() }).work(1)).rejects.toBeInstanceOf(
      CallAbortError,
    );
    await tick();
    expect(worker.log).toEqual([]);
  });
});
