import { NotCapabilityError, type Proxy, proxy, Resolver } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { memoryTraceSink, traceMessages } from '../src/index.ts';
import { type IPromiser, Promiser } from './fixtures/promiser.ts';
import { Calc, type ICalc, rawPeer } from './fixtures.ts';
import { type PairOptions, served, sessionPair, sleep, turns } from './harness.ts';

describe('promise resolution across a session', () => {
  test('whenResolved() on a received promise waits for the resolution', async () => {
    const promiser = new Promiser();
    const { remote } = served<IPromiser>(promiser);
    const { calc } = await remote.promise();
    let resolved = false;
    const waiting = calc.whenResolved().then(() => {
      resolved = true;
    });
    await turns(3);
    expect(resolved).toBe(false);
    const host = proxy<ICalc>(new Calc(7));
    promiser.resolvers[0]!.resolve(host);
    host[Symbol.dispose]();
    await waiting;
    expect(await calc.get()).toBe(7);
    calc[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('whenResolved() and calls reject like the promise', async () => {
    const promiser = new Promiser();
    const { remote } = served<IPromiser>(promiser);
    const { calc } = await remote.promise();
    const before = calc.add(1);
    const waiting = calc.whenResolved();
    promiser.resolvers[0]!.reject(new RangeError('no calculator today'));
    await expect(waiting).rejects.toThrow(RangeError);
    await expect(before).rejects.toThrow('no calculator today');
    await expect(calc.add(2)).rejects.toThrow('no calculator today');
    calc[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a promise resolved to data rejects with NotCapabilityError', async () => {
    const promiser = new Promiser();
    const { remote } = served<IPromiser>(promiser);
    const { calc } = await remote.promise();
    (promiser.resolvers[0] as unknown as Resolver<number>).resolve(42);
    await expect(calc.whenResolved()).rejects.toBeInstanceOf(NotCapabilityError);
    calc[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a promise resolved to the receiver object becomes that object, in call order', async () => {
    const log: number[] = [];
    const promiser = new Promiser();
    const { remote, listener, dialer } = served<IPromiser>(promiser);
    const mine = new Calc(0, log);
    const local = proxy<ICalc>(mine);
    await remote.keep(local);
    const { calc } = await remote.promise();
    const early = [calc.add(1), calc.add(2)];
    await sleep(5);
    promiser.resolveWithKept();
    const late = [calc.add(3), calc.add(4)];
    await calc.whenResolved();
    const after = [calc.add(5)];
    await Promise.all([...early, ...late, ...after]);
    expect(log).toEqual([1, 2, 3, 4, 5]);
    expect(await proxy<ICalc>(mine).isOriginal(calc)).toBe(true);
    await listener.terminate('the host left');
    expect(dialer.isTerminated).toBe(true);
    expect(await calc.add(10)).toBe(25);
    calc[Symbol.dispose]();
    local[Symbol.dispose]();
    remote[Symbol.dispose]();
  });
});

describe('hostile resolutions', () => {
  /**
   * The dialer sends the listener one promise it never settles (its export 1: the root is 0), then
   * writes raw frames on its connection as a hostile peer would.
   */
  async function holdingAPromise(options: PairOptions = {}) {
    const promiser = new Promiser();
    const peer = rawPeer<IPromiser>(promiser, options);
    const resolver = new Resolver<Proxy<ICalc>>();
    const pending = resolver.proxy();
    await peer.remote.keep(pending);
    return { ...peer, promiser, resolver, kept: promiser.kept! };
  }

  test('a Resolve for an import the receiver never held is a protocol violation', async () => {
    const { listener, send } = await holdingAPromise();
    send([13, 77, 2, 'forged']);
    const reason = await listener.closed;
    expect(reason).toMatchObject({ code: 'protocol', remote: false });
    expect(reason.message).toContain('resolve of import 77, which this side does not hold');
  });

  test('a Resolve for an import that is no promise (the root) is a protocol violation', async () => {
    const { listener, send } = await holdingAPromise();
    send([13, 0, 2, 'forged']);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('resolve of import 0, which is not a promise');
  });

  test('a second Resolve for one promise is a protocol violation', async () => {
    const { listener, send, kept } = await holdingAPromise();
    const settled = kept.whenResolved();
    send([13, 1, 2, 'first']);
    await expect(settled).rejects.toBe('first'); // the first one counts
    expect(listener.isTerminated).toBe(false);
    send([13, 1, 2, 'second']);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('a second resolve of promise 1');
  });

  test('a Released the receiver did not cause is a protocol violation', async () => {
    const { listener, send } = await holdingAPromise();
    send([13, 1, 3]);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('did not release');
  });

  test('a promise resolved to itself (a cycle) is a protocol violation', async () => {
    const { listener, send } = await holdingAPromise();
    send([13, 1, 1, [4, 1]]);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('resolution cycle');
  });

  test('a malformed Resolve is a protocol violation', async () => {
    const { listener, send } = await holdingAPromise();
    send([13, 1, 9, null]);
    expect((await listener.closed).message).toContain('malformed resolve');
  });

  test('a resolution counts against maxImports', async () => {
    const { listener, resolver } = await holdingAPromise({ listener: { limits: { maxImports: 2 } } });
    // The listener holds the dialer's root and promise; the promise resolves to a third capability.
    const fresh = proxy<ICalc>(new Calc(1));
    resolver.resolve(fresh);
    fresh[Symbol.dispose]();
    const reason = await listener.closed;
    expect(reason).toMatchObject({ code: 'limit', limit: 'maxImports' });
  });

  test('a promise released before it resolved is settled by a Released resolve, and nothing leaks', async () => {
    const promiser = new Promiser();
    const sink = memoryTraceSink();
    const { dialer, listener } = sessionPair({
      listenerRoot: proxy<IPromiser>(promiser) as Proxy<unknown>,
      dialer: { trace: traceMessages({ level: 'messages', sink }) },
    });
    const remote = dialer.remoteRoot<IPromiser>();
    const resolver = new Resolver<Proxy<ICalc>>();
    const pending = resolver.proxy();
    await remote.keep(pending);
    expect(dialer.stats().exports).toBe(2); // the root and the promise
    promiser.kept![Symbol.dispose]();
    promiser.kept = undefined;
    for (let attempt = 0; attempt < 100 && dialer.stats().exports > 1; attempt++) {
      (globalThis as { gc?: () => void }).gc?.();
      await sleep(5);
    }
    expect(dialer.stats().exports).toBe(1);
    // The listener's release reached the dialer first: it owes the listener a `Released` resolve.
    const resolves = () => sink.events.filter((event) => event.type === 'Resolve');
    expect(resolves()).toMatchObject([
      { direction: 'out', fields: { promiseId: 1, resolution: 'released' } },
    ]);
    // Settling it now sends nothing more: the export is gone.
    const host = proxy<ICalc>(new Calc(1));
    resolver.resolve(host);
    host[Symbol.dispose]();
    await turns(3);
    expect(resolves()).toHaveLength(1);
    expect(listener.isTerminated).toBe(false);
    expect(dialer.isTerminated).toBe(false);
    pending[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a version 1 session refuses a Resolve, and sends promises as plain exports', async () => {
    const promiser = new Promiser();
    const pair = rawPeer<IPromiser>(promiser, { dialer: { versions: [1] } });
    const { calc } = await pair.remote.promise();
    expect(pair.dialer.protocolVersion).toBe(1);
    await calc.whenResolved(); // version 1: a plain export, resolved at once
    const host = proxy<ICalc>(new Calc(3));
    promiser.resolvers[0]!.resolve(host);
    expect(await calc.get()).toBe(3); // calls still reach the resolution through the export
    host[Symbol.dispose]();
    pair.send([13, 0, 2, 'forged']);
    const reason = await pair.listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('needs protocol version 2');
  });
});
