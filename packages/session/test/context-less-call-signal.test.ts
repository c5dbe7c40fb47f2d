import { getEventListeners } from 'node:events';
import { AbortedError } from '@msc/eventual';
import { type CallContext, callContext } from '@msc/eventual/context';
import { describe, expect, test } from 'vitest';
import { served, sleep } from './harness.ts';

interface IWork {
  work(): Promise<string>;
  hang(): Promise<string>;
}

/** Adds an abort listener to each call's signal, the documented pattern. */
class Work implements IWork {
  readonly contexts: CallContext[] = [];
  async work(): Promise<string> {
    const context = callContext();
    this.contexts.push(context);
    context.signal.addEventListener('abort', () => {});
    return 'done';
  }
  hang(): Promise<string> {
    const { signal } = callContext();
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  }
}

describe('a call without a context asks for its own', () => {
  test('listeners a method adds to its signal go with the call: 500 plain calls leave none behind', async () => {
    const work = new Work();
    const { remote } = served<IWork>(work);
    for (let i = 0; i < 500; i++) expect(await remote.work()).toBe('done');
    expect(new Set(work.contexts).size).toBe(500);
    for (const context of work.contexts) {
      expect(getEventListeners(context.signal, 'abort')).toHaveLength(1); // the method's own
      expect(context.signal.aborted).toBe(false);
    }
  });

  test("the call's signal still fires when the session ends while it runs", async () => {
    const { dialer, remote } = served<IWork>(new Work());
    const pending = remote.hang().then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await sleep(10);
    await dialer.terminate('done');
    expect(await pending).toBeInstanceOf(AbortedError);
  });

  test('a local call without a context gets its own too, ended with the call', async () => {
    const { proxy } = await import('@msc/eventual');
    const work = new Work();
    using local = proxy<IWork>(work);
    await local.work();
    await local.work();
    expect(work.contexts[0]).not.toBe(work.contexts[1]);
    expect(getEventListeners(work.contexts[0]!.signal, 'abort')).toHaveLength(1);
  });
});
