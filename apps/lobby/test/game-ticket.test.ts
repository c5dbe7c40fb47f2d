import { Identity } from '@msc/identity';
import { beforeAll, describe, expect, test } from 'vitest';
import { ClusterDirectory } from '../src/cluster/cluster-directory.ts';
import {
  checkTicket,
  issueTicket,
  type TicketExpectation,
  type TicketPayload,
} from '../src/cluster/game-ticket.ts';

/*
 * A ticket as the owner checks it, without a cluster: the expiry's upper bound (lifetime plus the
 * clocks' skew allowance) and where the issuer's key comes from (the mirror, then the directory).
 */

const ttlMs = 10_000;
const skewMs = 2_000;
const now = 1_800_000_000_000;
let issuer: Identity;
let player: Identity;
let payload: TicketPayload;

beforeAll(async () => {
  [issuer, player] = await Promise.all([
    Identity.generate({ name: 'c' }),
    Identity.generate({ name: 'cid' }),
  ]);
  payload = {
    v: 1,
    game: 'g1.a',
    owner: 'a',
    ownerEpoch: 3,
    player: player.fingerprint,
    issuer: 'c',
    exp: now + ttlMs,
  };
});

/** What node a expects, knowing c's key from its mirror (`mirror`) and from Redis (`directory`). */
function expectation(
  keys: { mirror?: string | undefined; directory?: string | undefined },
  asked: boolean[] = [],
): TicketExpectation {
  return {
    game: 'g1.a',
    owner: 'a',
    ownerEpoch: 3,
    player: player.fingerprint,
    issuerKey: (name, fresh) => {
      asked.push(fresh);
      if (name !== 'c') return undefined;
      return fresh ? Promise.resolve(keys.directory) : keys.mirror;
    },
    now,
    maxLifetimeMs: ttlMs + skewMs,
  };
}

describe('a ticket at the owner', () => {
  test('an expiry up to the lifetime plus the skew allowance ahead passes; further ahead is refused, saying why', async () => {
    const key = issuer.publicIdentity.publicKeyText;
    const atBound = await issueTicket(issuer, { ...payload, exp: now + ttlMs + skewMs });
    await expect(checkTicket(atBound, expectation({ mirror: key }))).resolves.toMatchObject({ issuer: 'c' });
    const beyond = await issueTicket(issuer, { ...payload, exp: now + ttlMs + skewMs + 1 });
    await expect(checkTicket(beyond, expectation({ mirror: key }))).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining('later than any ticket of this cluster (at most 12000 ms'),
    });
    const forever = await issueTicket(issuer, { ...payload, exp: Number.MAX_VALUE });
    await expect(checkTicket(forever, expectation({ mirror: key }))).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining("the issuer's clock is ahead"),
    });
    const expired = await issueTicket(issuer, { ...payload, exp: now });
    await expect(checkTicket(expired, expectation({ mirror: key }))).rejects.toMatchObject({
      message: expect.stringContaining('it expired'),
    });
  });

  test("an issuer the owner's mirror does not know yet is looked up in the directory: its genuine ticket passes", async () => {
    const ticket = await issueTicket(issuer, payload);
    const asked: boolean[] = [];
    await expect(
      checkTicket(ticket, expectation({ directory: issuer.publicIdentity.publicKeyText }, asked)),
    ).resolves.toMatchObject({ issuer: 'c' });
    expect(asked).toEqual([false, true]);
  });

  test('a key the mirror holds that no longer verifies (the node restarted with a new key) is checked against the directory', async () => {
    const ticket = await issueTicket(issuer, payload);
    const old = (await Identity.generate({ name: 'old c' })).publicIdentity.publicKeyText;
    await expect(
      checkTicket(ticket, expectation({ mirror: old, directory: issuer.publicIdentity.publicKeyText })),
    ).resolves.toMatchObject({ issuer: 'c' });
  });

  test('the mirror answers without a lookup when it knows the key; unknown issuers and strangers are refused', async () => {
    const ticket = await issueTicket(issuer, payload);
    const key = issuer.publicIdentity.publicKeyText;
    const asked: boolean[] = [];
    await checkTicket(ticket, expectation({ mirror: key }, asked));
    expect(asked).toEqual([false]);
    await expect(checkTicket(ticket, expectation({}))).rejects.toMatchObject({
      message: expect.stringContaining('its issuer "c" is not a node of this cluster'),
    });
    const stranger = await Identity.generate({ name: 'c' });
    const forged = await issueTicket(stranger, payload);
    await expect(checkTicket(forged, expectation({ mirror: key, directory: key }))).rejects.toMatchObject({
      message: expect.stringContaining("its signature is not c's"),
    });
    // A name no node can have is refused before any lookup.
    const odd: boolean[] = [];
    const badName = await issueTicket(issuer, { ...payload, issuer: 'C\n' });
    await expect(checkTicket(badName, expectation({ mirror: key }, odd))).rejects.toMatchObject({
      message: expect.stringContaining('is not a node of this cluster'),
    });
    expect(odd).toEqual([]);
  });
});

describe('the clock skew allowance of a node', () => {
  test('a clock skew or ticket lifetime that is not an integer in range is refused at construction, naming the option', async () => {
    const identity = await Identity.generate({ name: 'x' });
    const options = { redis: 'redis://127.0.0.1:1', node: 'x', identity };
    for (const clockSkewMs of [-1, Number.NaN, 0.5])
      expect(() => new ClusterDirectory({ ...options, clockSkewMs })).toThrow(/expected clockSkewMs/);
    for (const ticketTtlMs of [0, Number.POSITIVE_INFINITY])
      expect(() => new ClusterDirectory({ ...options, ticketTtlMs })).toThrow(/expected ticketTtlMs/);
  });
});
