import { type CallContext, CallTimeoutError, callContext, withOptions } from '@msc/eventual/context';
import { afterEach, describe, expect, test } from 'vitest';
import { installCallContextPart } from '../src/call-context-part.ts';
import { enableCallContext } from '../src/index.ts';
import { served, sleep } from './harness.ts';

// The browser entry leaves the call context part out (call-context-part.ts): a page that never
// enables it serves calls from its peer without their contexts, and still sends its own.

interface IWorker {
  work(ms: number): Promise<string>;
  deadline(): Promise<number | undefined>;
}

class Worker implements IWorker {
  readonly contexts: CallContext[] = [];
  work(ms: number): Promise<string> {
    const context = callContext();
    this.contexts.push(context);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('done'), ms);
      context.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve('stopped');
      });
    });
  }
  async deadline() {
    return callContext().deadline;
  }
}

afterEach(() => {
  enableCallContext(); // the package's own entry enables it; every other test file expects it
});

describe('a session started without enableCallContext()', () => {
  test("a call with a deadline is served without it: the callee's context carries none, and the caller still times out", async () => {
    installCallContextPart(undefined);
    const worker = new Worker();
    const { remote } = served<IWorker>(worker);
    expect(await withOptions(remote, { timeoutMs: 5_000 }).deadline()).toBeUndefined();
    await expect(withOptions(remote, { timeoutMs: 20 }).work(200)).rejects.toThrow(CallTimeoutError);
    // The callee's signal never fired (the Cancel the caller sent was ignored): it ran to its end.
    expect(worker.contexts[0]!.signal.aborted).toBe(false);
    await sleep(250);
    expect(await remote.work(0)).toBe('done');
  });

  test("enabled, the same call's deadline reaches the callee and its Cancel fires the callee's signal", async () => {
    enableCallContext();
    const worker = new Worker();
    const { remote } = served<IWorker>(worker);
    const deadline = await withOptions(remote, { timeoutMs: 5_000 }).deadline();
    expect(deadline).toBeGreaterThan(performance.now());
    await expect(withOptions(remote, { timeoutMs: 20 }).work(2_000)).rejects.toThrow(CallTimeoutError);
    await sleep(50);
    expect(worker.contexts[0]!.signal.aborted).toBe(true);
    expect(worker.contexts[0]!.signal.reason).toBeInstanceOf(CallTimeoutError);
  });
});
