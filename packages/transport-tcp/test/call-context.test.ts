import { getEventListeners } from 'node:events';
import { AbortedError, type Proxy, proxy } from '@msc/eventual';
import { CallAbortError, CallTimeoutError, callContext, withOptions } from '@msc/eventual/context';
import { describe, expect, test } from 'vitest';
import { connect, eventually, listen, networks, party, sleep } from './fixtures/scenario-network.ts';

/**
 * Call context across hops (docs/semantics.md#call-context) over memory and TCP: cancellation
 * before, during and after dispatch, a cancelled pipelined chain, a deadline inherited two hops
 * deep, a session end firing the callee's signal. Every test is a leak check (the scenario
 * network's), and each checks that the caller's signal keeps no listener.
 */

interface IWorker {
  /** Runs until `ms` passed or its call's signal fired; logs how it ended. */
  work(ms: number): Promise<string>;
  /** The time its call has left (`Infinity` without a deadline). */
  remaining(): Promise<number>;
  /** A new worker, after `ms`. */
  later(ms: number): Promise<Proxy<IWorker>>;
}

class Worker implements IWorker {
  readonly log: string[];
  constructor(log: string[] = []) {
    this.log = log;
  }
  work(ms: number): Promise<string> {
    const { signal } = callContext();
    this.log.push('work');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.log.push('finished');
        resolve('done');
      }, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.log.push(`aborted: ${(signal.reason as Error).name}`);
        resolve('stopped');
      });
    });
  }
  async remaining(): Promise<number> {
    return callContext().remainingMs();
  }
  async later(ms: number): Promise<Proxy<IWorker>> {
    this.log.push('later');
    await sleep(ms);
    return proxy<IWorker>(new Worker(this.log));
  }
}

/** Forwards to the next hop's worker, in its synchronous part (so the call inherits the context). */
class Relay implements IWorker {
  readonly #next: Proxy<IWorker>;
  constructor(next: Proxy<IWorker>) {
    this.#next = next;
  }
  work(ms: number): Promise<string> {
    return this.#next.work(ms);
  }
  remaining(): Promise<number> {
    return this.#next.remaining();
  }
  later(ms: number): Promise<Proxy<IWorker>> {
    return this.#next.later(ms);
  }
  [Symbol.dispose](): void {
    this.#next[Symbol.dispose]();
  }
}

function failure(result: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(result).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe.each(networks)('call context over $name', (network) => {
  async function served(worker: Worker) {
    const host = await listen(network, party(network, proxy<IWorker>(worker) as Proxy<unknown>));
    const client = party(network);
    return { host, client, ...(await connect<IWorker>(client, host)) };
  }

  test('cancel before dispatch: the caller rejects with AbortError and the method never runs', async () => {
    const worker = new Worker();
    const { remote } = await served(worker);
    const controller = new AbortController();
    const result = withOptions(remote, { signal: controller.signal }).work(5000);
    controller.abort();
    const error = await failure(result);
    expect(error).toBeInstanceOf(CallAbortError);
    expect((error as Error).name).toBe('AbortError');
    await sleep(30);
    expect(worker.log).toEqual([]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    remote[Symbol.dispose]();
  });

  test('cancel during the call: the caller rejects at once, the callee signal fires with AbortError', async () => {
    const worker = new Worker();
    const { remote, hostSession } = await served(worker);
    const controller = new AbortController();
    const result = withOptions(remote, { signal: controller.signal }).work(5000);
    await eventually(() => worker.log.length === 1);
    controller.abort('enough');
    const error = await failure(result);
    expect(error).toMatchObject({ name: 'AbortError', cause: 'enough' });
    await eventually(() => worker.log.length === 2);
    expect(worker.log).toEqual(['work', 'aborted: AbortError']);
    await eventually(() => hostSession.stats().answers === 0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    remote[Symbol.dispose]();
  });

  test('cancel after the call settled is a no-op', async () => {
    const worker = new Worker();
    const { remote } = await served(worker);
    const controller = new AbortController();
    const result = withOptions(remote, { signal: controller.signal }).work(1);
    expect(await result).toBe('done');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    await sleep(20);
    expect(await result).toBe('done');
    expect(worker.log).toEqual(['work', 'finished']);
    remote[Symbol.dispose]();
  });

  test('a cancelled pipelined chain rejects every link and the pipelined calls never run', async () => {
    const log: string[] = [];
    const { remote } = await served(new Worker(log));
    const controller = new AbortController();
    const next = withOptions(remote, { signal: controller.signal }).later(40);
    const work = next.work(5000);
    const deeper = next.later(1).remaining();
    await eventually(() => log.length === 1);
    controller.abort();
    for (const result of [next, work, deeper]) expect(await failure(result)).toBeInstanceOf(CallAbortError);
    await sleep(80);
    expect(log).toEqual(['later']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    remote[Symbol.dispose]();
  });

  test('a deadline rejects with TimeoutError and fires the callee signal with it', async () => {
    const worker = new Worker();
    const { remote } = await served(worker);
    const error = await failure(withOptions(remote, { timeoutMs: 40 }).work(5000));
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect((error as Error).name).toBe('TimeoutError');
    await eventually(() => worker.log.length === 2);
    expect(worker.log).toEqual(['work', 'aborted: TimeoutError']);
    remote[Symbol.dispose]();
  });

  test('a deadline is inherited two hops deep, and fires at the far end', async () => {
    const far = new Worker();
    const farHost = await listen(network, party(network, proxy<IWorker>(far) as Proxy<unknown>));
    const middle = party(network);
    const { remote: next } = await connect<IWorker>(middle, farHost);
    const relay = new Relay(next);
    const middleHost = await listen(network, party(network, proxy<IWorker>(relay) as Proxy<unknown>));
    const client = party(network);
    const { remote } = await connect<IWorker>(client, middleHost);

    const left = await withOptions(remote, { timeoutMs: 2000 }).remaining();
    expect(left).toBeGreaterThan(1500);
    expect(left).toBeLessThanOrEqual(2000);
    expect(await remote.remaining()).toBe(Number.POSITIVE_INFINITY);

    const error = await failure(withOptions(remote, { timeoutMs: 60 }).work(5000));
    expect(error).toBeInstanceOf(CallTimeoutError);
    await eventually(() => far.log.length === 2);
    expect(far.log).toEqual(['work', 'aborted: TimeoutError']);

    const controller = new AbortController();
    const cancelled = withOptions(remote, { signal: controller.signal }).work(5000);
    await eventually(() => far.log.length === 3);
    controller.abort();
    expect(await failure(cancelled)).toBeInstanceOf(CallAbortError);
    await eventually(() => far.log.length === 4);
    expect(far.log[3]).toBe('aborted: AbortError');
    remote[Symbol.dispose]();
  });

  test('a session end fires the signals of the calls the peer was serving', async () => {
    const worker = new Worker();
    const { remote, clientSession } = await served(worker);
    const plain = remote.work(5000);
    const withSignal = withOptions(remote, { signal: new AbortController().signal }).work(5000);
    await eventually(() => worker.log.length === 2);
    await clientSession.terminate('the client left');
    expect(await failure(plain)).toBeInstanceOf(AbortedError);
    expect(await failure(withSignal)).toBeInstanceOf(AbortedError);
    await eventually(() => worker.log.length === 4);
    expect(worker.log).toEqual(['work', 'work', 'aborted: AbortedError', 'aborted: AbortedError']);
  });
});
