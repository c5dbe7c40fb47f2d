import { describe, expect, test } from 'vitest';
import { ParkedSessions } from '../../src/index.ts';
import { peerShare } from '../../src/resume/parked-sessions.ts';
import { echoPairs } from '../fixtures/echo-pairs.ts';
import { named } from '../fixtures/named-authenticator.ts';
import { until } from '../fixtures/resumable-pair.ts';

/**
 * The listener's parked sessions are bounded for all peers together, but a peer that fills them
 * crowds out only itself (docs/resumption.md#listener): a drop past `maxParkedSessions` ends the
 * oldest parked session of the peer holding the most, and another peer's blip still parks and resumes.
 */

const echoPair = echoPairs();

/** A pair whose listener parks in `parked`, for peer `name`, established and registered. */
async function registered(parked: ParkedSessions, name: string) {
  const before = parked.size;
  const pair = echoPair({ parked, authenticator: named(name), listenerResume: { graceMs: 10_000 } });
  await pair.dialer.established;
  await until(() => parked.size === before + 1);
  return pair;
}

/** Drops `pair`'s connection for good (its redials fail) and waits until its listener parked. */
async function droppedForGood(parked: ParkedSessions, pair: Awaited<ReturnType<typeof registered>>) {
  const before = parked.parked;
  pair.dialFailure = new Error('down');
  pair.cut();
  await until(() => parked.parked === before + 1);
}

describe('one peer cannot fill the parked sessions for everyone', () => {
  test("another peer's drop parks and resumes; the oldest of the peer holding the most is lost (limit)", async () => {
    const parked = new ParkedSessions({ maxParkedSessions: 4 });
    const mallory = [];
    for (let index = 0; index < 4; index++) mallory.push(await registered(parked, 'mallory'));
    for (const pair of mallory) await droppedForGood(parked, pair);
    expect(parked.parked).toBe(4);

    const bob = await registered(parked, 'bob');
    bob.cut(); // a blip: its redial goes through
    await until(() => bob.events.listener.some((event) => event.type === 'resumed'));
    expect(bob.events.listener.map((event) => event.type)).toEqual(['disconnected', 'resumed']);
    expect(await bob.remote.echo('after the blip')).toBe('after the blip');

    const reason = await mallory[0]!.listener.closed;
    expect(reason.code).toBe('limit');
    expect(reason.message).toMatch(/maxParkedSessions 4/);
    expect(mallory[0]!.events.listener.at(-1)?.type).toBe('lost');
    expect(mallory.slice(1).map((pair) => pair.listener.resumption?.state)).toEqual([
      'parked',
      'parked',
      'parked',
    ]);
    expect(parked.parked).toBe(3); // bob's is connected again
  });

  test("a peer holding the most that drops one more gives up its own oldest, not another peer's", async () => {
    const parked = new ParkedSessions({ maxParkedSessions: 3 });
    const alice = await registered(parked, 'alice');
    const mallory = [await registered(parked, 'mallory'), await registered(parked, 'mallory')];
    await droppedForGood(parked, alice);
    for (const pair of mallory) await droppedForGood(parked, pair);
    const third = await registered(parked, 'mallory');
    third.dialFailure = new Error('down');
    third.cut();
    const reason = await mallory[0]!.listener.closed;
    expect(reason.code).toBe('limit');
    await until(() => third.listener.resumption?.state === 'parked');
    expect(parked.parked).toBe(3);
    expect([alice, mallory[1]!].map((pair) => pair.listener.resumption?.state)).toEqual(['parked', 'parked']);
    alice.dialFailure = undefined;
    await until(() => alice.events.listener.some((event) => event.type === 'resumed'));
  });
});

describe('peerShare: whose share a parked session counts against', () => {
  test('an identity by its fingerprint alone, a string or number by value, the rest shared', () => {
    expect(peerShare({ fingerprint: 'abcd', name: 'one' })).toBe(
      peerShare({ fingerprint: 'abcd', name: 'two' }),
    );
    expect(peerShare({ fingerprint: 'abcd' })).not.toBe(peerShare({ fingerprint: 'efgh' }));
    expect(peerShare('alice')).not.toBe(peerShare('bob'));
    expect(peerShare(7)).not.toBe(peerShare('7'));
    expect(peerShare(undefined)).toBe(peerShare({ user: 'x' }));
    expect(peerShare(undefined)).not.toBe(peerShare('anonymous'));
  });
});
