import { getEventListeners } from 'node:events';
import { AbortedError } from '@msc/eventual';
import { CallAbortError, CallTimeoutError, withOptions } from '@msc/eventual/context';
import { afterEach, describe, expect, test } from 'vitest';
import { expectDrained } from '../../session/test/fixtures/leak-check.ts';
import type { Sip, SipOptions } from '../src/index.ts';
import type { IWorkingSip } from './fixtures/contracts.ts';
import { sleep, start as startSip, until, useFixtures } from './harness.ts';

const fixtures = useFixtures();

/** The SIPs this test started, checked for leaks after it (before the harness terminates them). */
const running: Sip<unknown>[] = [];

function start<I>(module: string, options: SipOptions) {
  const started = startSip<I>(module, options as never);
  running.push(started.sip as Sip<unknown>);
  return started;
}

// No table leak after any scenario: the session with each SIP is back to its roots (the SIP's side
// mirrors this side's tables: see `Sip.stats()`), as memory and TCP check after theirs.
afterEach(async () => {
  const sips = running.splice(0);
  await expectDrained(sips.map((sip) => ({ stats: () => sip.stats(), isTerminated: false })));
});

function failure(result: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(result).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * Call context across a SIP boundary (docs/semantics.md#call-context): the same scenarios as over
 * memory and TCP (transport-tcp's call-context.test.ts), with the callee in a worker thread or a
 * child process, and a deadline two hops deep: test → SIP → the SIP's parent (back in this thread).
 */
describe.each(['worker', 'process'] as const)('call context into a %s SIP', (kind) => {
  test('cancel before dispatch, during and after; the caller signal keeps no listener', async () => {
    const { sip } = start<IWorkingSip>(fixtures().testSip, { kind });
    await sip.established;
    const controller = new AbortController();
    const before = withOptions(sip.root, { signal: controller.signal }).work(5000);
    controller.abort();
    expect(await failure(before)).toBeInstanceOf(CallAbortError);
    await sleep(30);
    expect(await sip.root.events()).toEqual([]);

    const during = new AbortController();
    const running = withOptions(sip.root, { signal: during.signal }).work(5000);
    for (let attempt = 0; attempt < 200 && (await sip.root.events()).length === 0; attempt++) await sleep(5);
    during.abort();
    const error = await failure(running);
    expect((error as Error).name).toBe('AbortError');
    for (let attempt = 0; attempt < 200 && (await sip.root.events()).length < 2; attempt++) await sleep(5);
    expect(await sip.root.events()).toEqual(['work', 'aborted: AbortError']);

    const after = new AbortController();
    expect(await withOptions(sip.root, { signal: after.signal }).work(1)).toBe('done');
    after.abort();
    for (const signal of [controller.signal, during.signal, after.signal]) {
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    }
    expect(await sip.root.events()).toEqual(['work', 'aborted: AbortError', 'work', 'finished']);
  });

  test('a cancelled pipelined chain rejects every link and the pipelined calls never run', async () => {
    const { sip } = start<IWorkingSip>(fixtures().testSip, { kind });
    await sip.established;
    const controller = new AbortController();
    const next = withOptions(sip.root, { signal: controller.signal }).later(40);
    const work = next.work(5000);
    const deeper = next.later(1).remaining();
    for (let attempt = 0; attempt < 200 && (await sip.root.events()).length === 0; attempt++) await sleep(5);
    controller.abort();
    for (const result of [next, work, deeper]) expect(await failure(result)).toBeInstanceOf(CallAbortError);
    // `later` itself runs on (it does not watch its signal); what it returns is released, and the
    // calls pipelined on it never reach the SIP.
    await sleep(120);
    expect(await sip.root.events()).toEqual(['later']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('a deadline is inherited two hops deep (test → SIP → parent) and fires there', async () => {
    const { sip, parent } = start<IWorkingSip>(fixtures().testSip, { kind });
    await sip.established;
    const left = await withOptions(sip.root, { timeoutMs: 3000 }).parentRemaining();
    expect(left).toBeGreaterThan(2000);
    expect(left).toBeLessThanOrEqual(3000);
    expect(await sip.root.parentRemaining()).toBe(Number.POSITIVE_INFINITY);
    const error = await failure(withOptions(sip.root, { timeoutMs: 100 }).parentWork(5000));
    expect(error).toBeInstanceOf(CallTimeoutError);
    await until(() => parent.lines.length === 2, 'the parent to see the deadline pass');
    expect(parent.lines).toEqual(['work', 'aborted: TimeoutError']);
  });

  test('terminating the SIP fires the signals of the calls the parent was serving for it', async () => {
    const { sip, parent } = start<IWorkingSip>(fixtures().testSip, { kind });
    await sip.established;
    const pending = sip.root.parentWork(5000);
    await until(() => parent.lines.length === 1, 'the parent to start the work');
    await sip.terminate('test over');
    expect(await failure(pending)).toBeInstanceOf(AbortedError);
    await until(() => parent.lines.length === 2, 'the parent to see the session end');
    expect(parent.lines).toEqual(['work', 'aborted: AbortedError']);
  });
});
