import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, test } from 'vitest';
import { joinSlot, launchWhenSeen, playToEnd } from '../src/client/bot.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import type { GameOutcome } from '../src/client/player-view.ts';
import { startClusterNode } from './cluster-node-process.ts';
import { startRedis } from './redis-process.ts';

/*
 * The lobby across machines (issue 19), for real on this machine: redis-server on a free loopback
 * port, lobby nodes as child processes (so SIGKILL and SIGSTOP are real), players over TCP. Leases
 * are short (1.5 s) so that each test stays within a few seconds.
 */

const leaseMs = 1_500;
const clients: LobbyClient[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
});

async function player(name: string | Identity, address: string): Promise<LobbyClient> {
  const identity = typeof name === 'string' ? await Identity.generate({ name }) : name;
  const client = LobbyClient.connect({ identity, transport: tcp(), address });
  clients.push(client);
  await client.ready();
  return client;
}

/** X (on `xClient`'s node) creates a game, O opens it (`oClient`), they launch and play it to the end. */
async function playMatch(xClient: LobbyClient, oClient: LobbyClient, name: string): Promise<GameOutcome[]> {
  const xView = xClient.createGame(name);
  await xView.until((view) => view.lsn >= 0);
  const xSeat = await joinSlot(xView, 0, 'x');
  const oView = oClient.openGame(xView.gameId);
  const oSeat = await joinSlot(oView, 1, 'o');
  await xView.until((view) => view.slots[1]?.name === 'o');
  await launchWhenSeen(xView);
  const players = await Promise.all([xSeat.launched, oSeat.launched]);
  return Promise.all(players.map((seat) => playToEnd(seat)));
}

/** Polls `check` every 25 ms until it returns true; resolves with the time it took, rejects after `timeoutMs`. */
async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function listedIds(client: LobbyClient): Promise<string[]> {
  return (await client.listGames({ limit: 50 })).games.map((game) => game.id);
}

describe('redis for tests', { timeout: 90_000 }, () => {
  test('the fixture starts redis-server on a free loopback port (not 6379) and SIGKILL stops it', async () => {
    const redis = await startRedis();
    expect(redis.port).not.toBe(6379);
    expect(redis.alive()).toBe(true);
    await redis.kill();
    expect(redis.alive()).toBe(false);
    await redis.restart();
    expect(redis.alive()).toBe(true);
  });
});

describe('the lobby across machines when something dies', { timeout: 90_000 }, () => {
  test('6: SIGKILL of the owner in the lobby phase: its games leave every list within lease + 2 s saying why, its players get AbortedError, other games carry on', async () => {
    const redis = await startRedis();
    const [a, b, c] = await Promise.all([
      startClusterNode({ name: 'a', redis: redis.url, leaseMs }),
      startClusterNode({ name: 'b', redis: redis.url, leaseMs }),
      startClusterNode({ name: 'c', redis: redis.url, leaseMs }),
    ]);
    const [ada, bob, cid] = await Promise.all([
      player('ada', a.tcp),
      player('bob', b.tcp),
      player('cid', c.tcp),
    ]);
    const doomed = ada.createGame('doomed');
    const kept = bob.createGame('kept');
    await Promise.all([doomed.until((view) => view.lsn >= 0), kept.until((view) => view.lsn >= 0)]);
    const memberships = [await doomed.join(0, 'ada', () => {}), await kept.join(0, 'bob', () => {})];
    expect(memberships).toHaveLength(2);
    await eventually(
      'both games listed on B and C',
      async () => {
        const [onB, onC] = await Promise.all([listedIds(bob), listedIds(cid)]);
        return [onB, onC].every((ids) => ids.includes(doomed.gameId) && ids.includes(kept.gameId));
      },
      5_000,
    );
    await a.kill();
    const killedAt = performance.now();
    await expect(doomed.ended).rejects.toMatchObject({ name: 'AbortedError' });
    await eventually(
      "A's game gone from B's and C's lists",
      async () => {
        const [onB, onC] = await Promise.all([listedIds(bob), listedIds(cid)]);
        return !onB.includes(doomed.gameId) && !onC.includes(doomed.gameId);
      },
      leaseMs + 2_000,
    );
    expect(performance.now() - killedAt).toBeLessThan(leaseMs + 2_000);
    for (const node of [b, c]) {
      await node.waitFor(`game ${doomed.gameId} of a unlisted: its node a (epoch`, 1_000);
      expect(node.events()).toContainEqual(
        expect.objectContaining({
          kind: 'unlisted',
          id: doomed.gameId,
          owner: 'a',
          why: expect.stringContaining('lost its lease'),
        }),
      );
    }
    // B's game is untouched: still listed everywhere, and its seated player still acts in it.
    expect(await listedIds(cid)).toContain(kept.gameId);
    const lsn = await kept.say('still here');
    await kept.until((view) => view.lsn >= lsn);
    expect(kept.chat.at(-1)?.text).toBe('still here');
  });
});

describe('the lobby across machines when Redis dies', { timeout: 90_000 }, () => {
  test('9: SIGKILL of Redis: local joins and moves go on, lists are marked stale, cross-node opens fail fast; after a restart the directory is the live games again', async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([
      startClusterNode({ name: 'a', redis: redis.url, leaseMs }),
      startClusterNode({ name: 'b', redis: redis.url, leaseMs }),
    ]);
    const [ada, amy, bob] = await Promise.all([
      player('ada', a.tcp),
      player('amy', a.tcp),
      player('bob', b.tcp),
    ]);
    const early = ada.createGame('before');
    await early.until((view) => view.lsn >= 0);
    await eventually(
      'the game listed on B',
      async () => (await listedIds(bob)).includes(early.gameId),
      5_000,
    );

    await redis.kill();
    // A match on A, joined and played while Redis is gone.
    const outcomes = await playMatch(ada, amy, 'while redis is down');
    expect(
      outcomes.map((outcome) => (outcome.kind === 'ended' ? outcome.event.reason : outcome.kind)),
    ).toEqual(['played', 'played']);
    await eventually('B lists stale', async () => (await bob.listGames()).stale === true, 3_000);
    expect(await listedIds(bob)).toContain(early.gameId);
    const asked = performance.now();
    await expect(bob.lobby.redirect(early.gameId)).rejects.toMatchObject({ code: 'directory-unavailable' });
    expect(performance.now() - asked).toBeLessThan(1_000);
    const during = ada.createGame('during');
    await during.until((view) => view.lsn >= 0);

    await redis.restart();
    const direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const live = [early.gameId, during.gameId].sort();
      const took = await eventually(
        'the directory to equal the live games',
        async () => {
          const [stored, page] = await Promise.all([direct.hkeys('msc:lobby:games'), bob.listGames()]);
          return (
            JSON.stringify(stored.sort()) === JSON.stringify(live) &&
            page.stale === false &&
            JSON.stringify(page.games.map((game) => game.id).sort()) === JSON.stringify(live)
          );
        },
        5_000,
      );
      expect(took).toBeLessThan(5_000);
    } finally {
      direct.disconnect();
    }
    expect(a.alive() && b.alive()).toBe(true);
  });

  test('10: a node started while Redis is down joins when it comes back', async () => {
    const redis = await startRedis();
    await redis.kill();
    const a = await startClusterNode({ name: 'a', redis: redis.url, leaseMs });
    const ada = await player('ada', a.tcp);
    const game = ada.createGame('early bird');
    await game.until((view) => view.lsn >= 0);
    expect((await ada.listGames()).stale).toBe(true);
    expect(await listedIds(ada)).toEqual([game.gameId]);
    await redis.restart();
    await a.waitFor('registered under epoch', 5_000);
    const b = await startClusterNode({ name: 'b', redis: redis.url, leaseMs });
    const bob = await player('bob', b.tcp);
    await eventually(
      'B lists the game of A',
      async () => (await listedIds(bob)).includes(game.gameId),
      5_000,
    );
    await eventually('A lists fresh', async () => (await ada.listGames()).stale === false, 3_000);
  });
});

describe('the lobby across machines when a node freezes', { timeout: 90_000 }, () => {
  test('8: SIGSTOP of the owner shorter than the lease changes nothing; longer unlists its games, which come back under a new epoch after SIGCONT, old tickets refused', async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([
      startClusterNode({ name: 'a', redis: redis.url, leaseMs }),
      startClusterNode({ name: 'b', redis: redis.url, leaseMs }),
    ]);
    const bobIdentity = await Identity.generate({ name: 'bob' });
    const [ada, bob] = await Promise.all([player('ada', a.tcp), player(bobIdentity, b.tcp)]);
    const game = ada.createGame('frozen');
    await game.until((view) => view.lsn >= 0);
    await eventually('the game listed on B', async () => (await listedIds(bob)).includes(game.gameId), 5_000);
    const oldTicket = await bob.lobby.redirect(game.gameId);

    // Shorter than the lease: B lists the game all along.
    a.signal('SIGSTOP');
    const shortStop = performance.now();
    while (performance.now() - shortStop < leaseMs / 3) {
      expect(await listedIds(bob)).toContain(game.gameId);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    a.signal('SIGCONT');
    const after = performance.now();
    while (performance.now() - after < leaseMs) {
      expect(await listedIds(bob)).toContain(game.gameId);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(a.output()).not.toContain('was lost');

    // Longer: the game leaves B's list, and comes back under A's new epoch after SIGCONT.
    a.signal('SIGSTOP');
    await eventually(
      'the game unlisted on B',
      async () => !(await listedIds(bob)).includes(game.gameId),
      leaseMs + 2_000,
    );
    a.signal('SIGCONT');
    await a.waitFor('was lost; registering again', 5_000);
    await eventually(
      'the game listed again on B',
      async () => (await listedIds(bob)).includes(game.gameId),
      5_000,
    );
    const ids = await listedIds(bob);
    expect(new Set(ids).size).toBe(ids.length);

    // The ticket of the old epoch is refused by A; a new one lets bob in.
    const bobOnA = await player(bobIdentity, a.tcp);
    const refused = bobOnA.lobby.redeem(game.gameId, oldTicket.ticket);
    await expect(refused.whenResolved()).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining('epoch'),
    });
    const fresh = await bob.lobby.redirect(game.gameId);
    const launcher = bobOnA.lobby.redeem(game.gameId, fresh.ticket);
    await expect(launcher.whenResolved()).resolves.toBeUndefined();
  });
});
