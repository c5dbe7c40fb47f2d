import { AbortedError } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { spawnSip } from '../src/index.ts';
import { start, useFixtures } from './harness.ts';

const fixtures = useFixtures();

describe.each(['worker', 'process'] as const)('a %s SIP', (kind) => {
  test('its root is usable at once, and it reaches its parent through the root it was given', async () => {
    const { sip, parent } = start(fixtures().testSip, { kind, name: `greeter-${kind}` });
    expect(await sip.root.echo({ hello: [1, 2, 3] })).toEqual({ hello: [1, 2, 3] });
    expect(await sip.root.askParent()).toBe('parent says: hello from the parent');
    await sip.root.logToParent('written by the SIP');
    expect(parent.lines).toEqual(['written by the SIP']);
    await sip.established;
    expect(sip.kind).toBe(kind);
    expect(sip.name).toBe(`greeter-${kind}`);
    if (kind === 'worker') expect(sip.threadId).toBeGreaterThan(0);
    else expect(sip.pid).not.toBe(process.pid);
  });

  test('capabilities it returns are pipelinable', async () => {
    const { sip } = start(fixtures().testSip, { kind });
    const counter = sip.root.counter();
    await counter.increment();
    expect(await counter.increment()).toBe(2);
    counter[Symbol.dispose]();
  });

  test('only the init data, copied, and its name cross into it', async () => {
    const numbers = [1, 2, 3];
    const { sip } = start(fixtures().testSip, {
      kind,
      name: 'clean',
      init: { label: 'launch', numbers },
      env: { ONLY_THIS: 'yes' },
    });
    const described = await sip.root.describe();
    expect(described).toMatchObject({ name: 'clean', kind, init: { label: 'launch', numbers: [1, 2, 3] } });
    expect(described.envKeys).toEqual(['ONLY_THIS']);
  });

  test('terminate() aborts pending calls with AbortedError and reports cause "terminated"', async () => {
    const { sip } = start(fixtures().testSip, { kind });
    await sip.established;
    const pending = sip.root.never();
    const end = await sip.terminate('the game is over');
    expect(end.cause).toBe('terminated');
    expect(end.message).toContain('the game is over');
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(sip.root.echo(1)).rejects.toBeInstanceOf(AbortedError);
    expect(sip.isEnded).toBe(true);
    expect(await sip.terminate()).toBe(end);
  });

  test('aborting the signal option terminates it', async () => {
    const controller = new AbortController();
    const { sip } = start(fixtures().testSip, { kind, signal: controller.signal });
    await sip.root.echo('up');
    controller.abort();
    const end = await sip.ended;
    expect(end.cause).toBe('terminated');
    expect(end.message).toContain('signal');
  });

  test('a main function that throws ends it with cause "uncaught-error"', async () => {
    const { sip } = start(fixtures().failingMain, { kind });
    const call = sip.root.echo(1);
    const end = await sip.ended;
    expect(end.cause).toBe('uncaught-error');
    expect(end.error?.message).toContain('main refused to start');
    await expect(call).rejects.toThrow();
  });

  test('a module that never calls runSip() is destroyed once its handshake times out', async () => {
    const { sip } = start(fixtures().notASip, {
      kind,
      sessionLimits: { handshakeTimeoutMs: 300 },
      exitGraceMs: 100,
    });
    const end = await sip.ended;
    expect(end.cause).toBe('terminated');
    expect(end.session.code).toBe('timeout');
    expect(end.message).toContain('did not exit within 100 ms');
  });
});

describe('launch checks', () => {
  test('init data that would share memory or carry behaviour is refused', () => {
    expect(() => spawnSip(fixtures().testSip, { init: { shared: new SharedArrayBuffer(8) } })).toThrow(
      expect.objectContaining({ name: 'SipError', code: 'init-not-serializable' }),
    );
    expect(() => spawnSip(fixtures().testSip, { init: { callback: () => 1 } })).toThrow(
      expect.objectContaining({ code: 'init-not-serializable' }),
    );
  });

  test('a module that does not exist is refused before anything starts', () => {
    expect(() => spawnSip(new URL('./nowhere.mjs', import.meta.url), { kind: 'process' })).toThrow(
      expect.objectContaining({ name: 'SipError', code: 'module-not-found' }),
    );
  });

  test('a non-positive memory limit is refused', () => {
    expect(() => spawnSip(fixtures().testSip, { resourceLimits: { maxOldGenerationSizeMb: 0 } })).toThrow(
      expect.objectContaining({ code: 'bad-options' }),
    );
  });
});
