import { type Proxy, proxy, Resolver, RevokedError, revocable } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { Calc, type ICalc, rawPeer } from './fixtures.ts';
import { type PairOptions, turns } from './harness.ts';

/** The listener keeps what it is given (so the dialer's exports stay imported there). */
interface IKeeper {
  keep(capability: Proxy<ICalc>): Promise<void>;
}
class Keeper implements IKeeper {
  kept: Proxy<ICalc>[] = [];
  async keep(capability: Proxy<ICalc>): Promise<void> {
    this.kept.push(proxy(capability)); // a copy: arguments are released when the call settles
  }
}

describe('Revoke messages', () => {
  /** The dialer gave the listener its export 1 (a calculator) and export 2 (a promise). */
  async function keeping(options: PairOptions = {}) {
    const keeper = new Keeper();
    const peer = rawPeer<IKeeper>(keeper, options);
    const calc = proxy<ICalc>(new Calc(5));
    await peer.remote.keep(calc);
    const resolver = new Resolver<Proxy<ICalc>>();
    if (peer.dialer.protocolVersion >= 2) await peer.remote.keep(resolver.proxy());
    return { ...peer, keeper };
  }

  test('whatever error a Revoke carries, holders see a RevokedError, and the import is released', async () => {
    const { listener, keeper, send } = await keeping();
    const [calc] = keeper.kept;
    expect(await calc!.get()).toBe(5);
    const importsBefore = listener.stats().imports;
    send([15, 1, 'not an error']);
    await turns();
    expect(listener.stats().imports).toBe(importsBefore - 1);
    await expect(calc!.get()).rejects.toMatchObject({
      name: 'RevokedError',
      code: 'revoked',
      cause: 'not an error',
    });
    expect(listener.isTerminated).toBe(false);
  });

  test('a Revoke for an id the receiver does not import is ignored (its Release crossed it)', async () => {
    const { listener, send } = await keeping();
    send([15, 77, new RevokedError()]);
    await turns();
    expect(listener.isTerminated).toBe(false);
  });

  test('a Revoke for a promise import is a protocol violation', async () => {
    const { listener, send } = await keeping();
    send([15, 2, new RevokedError()]);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('revoke of import 2, which is a promise');
  });

  test('a malformed Revoke is a protocol violation', async () => {
    const { listener, send } = await keeping();
    send([15, 'one']);
    const reason = await listener.closed;
    expect(reason.message).toContain('malformed revoke');
  });

  test('a version 1 session refuses a Revoke, and is never sent one: its calls fail at the host', async () => {
    const keeper = new Keeper();
    const pair = rawPeer<IKeeper>(keeper, { dialer: { versions: [1] } });
    const { remote } = pair;
    const { proxy: guest, revoke } = revocable<ICalc>(new Calc(1));
    await remote.keep(guest);
    revoke('v1');
    await turns();
    expect(pair.listener.stats().imports).toBe(2); // not told
    await expect(keeper.kept[0]!.get()).rejects.toBeInstanceOf(RevokedError);
    pair.send([15, 1, new RevokedError()]);
    const reason = await pair.listener.closed;
    expect(reason.message).toContain('needs protocol version 2');
    guest[Symbol.dispose]();
  });
});
