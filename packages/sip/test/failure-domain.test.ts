import { join } from 'node:path';
import { AbortedError } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { beat, sleep, start, until, useFixtures } from './harness.ts';

const fixtures = useFixtures();

/** Checks that the heartbeat in `file` does not move any more: nothing of its writer runs. */
async function expectStopped(file: string): Promise<void> {
  const last = beat(file);
  await sleep(150);
  expect(beat(file)).toBe(last);
}

describe.each(['worker', 'process'] as const)('a %s SIP is a failure domain', (kind) => {
  test('an uncaught exception ends that SIP only: its pending calls abort, a sibling keeps working', async () => {
    const { sip } = start(fixtures().testSip, { kind, name: 'doomed' });
    const { sip: sibling } = start(fixtures().testSip, { kind, name: 'sibling' });
    await sip.established;
    const pending = sip.root.never();
    await sip.root.throwLater('the game logic broke');
    const end = await sip.ended;
    expect(end.cause).toBe('uncaught-error');
    expect(end.error?.message).toBe('the game logic broke');
    expect(end.message).toContain('doomed');
    const failure = await pending.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AbortedError);
    await expect(sip.root.echo(1)).rejects.toBeInstanceOf(AbortedError);
    expect(await sibling.root.echo('still here')).toBe('still here');
  });

  test('an unhandled rejection ends it with cause "uncaught-error"', async () => {
    const { sip } = start(fixtures().testSip, { kind });
    const pending = sip.root.never();
    await sip.root.rejectUnhandled('nobody caught this');
    const end = await sip.ended;
    expect(end.cause).toBe('uncaught-error');
    expect(end.error?.message).toContain('nobody caught this');
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  test('process.exit() inside it ends that SIP only, with its exit code', async () => {
    const { sip } = start(fixtures().testSip, { kind });
    const pending = sip.root.never();
    await sip.root.exitLater(3);
    const end = await sip.ended;
    expect(end).toMatchObject({ cause: 'exit', exitCode: 3 });
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  test('running out of its memory limit ends it with cause "memory-limit"', async () => {
    const { sip } = start(fixtures().testSip, { kind, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    const pending = sip.root.never();
    await sip.root.exhaustMemory();
    const end = await sip.ended;
    expect(end.cause).toBe('memory-limit');
    expect(end.message).toContain('out of memory');
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  test('after terminate() resolves none of its code runs any more (timer heartbeat)', async () => {
    const file = join(fixtures().directory, `timer-${kind}.beat`);
    const { sip } = start(fixtures().testSip, { kind });
    await sip.root.heartbeat(file);
    await until(() => beat(file) >= 3, 'a few heartbeats');
    const end = await sip.terminate();
    expect(end.cause).toBe('terminated');
    await expectStopped(file);
  });

  test('terminate() stops a SIP stuck in an endless loop', async () => {
    const file = join(fixtures().directory, `spin-${kind}.beat`);
    const { sip } = start(fixtures().testSip, { kind });
    await sip.root.spin(file);
    await until(() => beat(file) >= 3, 'the loop to start beating');
    const pending = sip.root.echo('never answered: the thread is busy');
    const end = await sip.terminate('stuck');
    expect(end.cause).toBe('terminated');
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expectStopped(file);
  });
});

describe('process SIPs', () => {
  test('a process killed by a signal from outside ends with cause "signal"', async () => {
    const { sip } = start(fixtures().testSip, { kind: 'process' });
    await sip.established;
    process.kill(sip.pid!, 'SIGTERM');
    const end = await sip.ended;
    expect(end).toMatchObject({ cause: 'signal', signal: 'SIGTERM' });
  });
});
