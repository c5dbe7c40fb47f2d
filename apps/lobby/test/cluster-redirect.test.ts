import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { joinSlot, launchWhenSeen, playToEnd } from '../src/client/bot.ts';
import type { GameView } from '../src/client/game-view.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import type { GameOutcome } from '../src/client/player-view.ts';
import { ClusterDirectory } from '../src/cluster/cluster-directory.ts';
import { nodeRecordTail } from '../src/cluster/directory-entry.ts';
import { issueTicket } from '../src/cluster/game-ticket.ts';
import { type ClusterNodeProcess, startClusterNode } from './cluster-node-process.ts';
import { startRedis } from './redis-process.ts';

/*
 * The lobby across machines (issue 19, tests 1, 2, 3, 4, 5 and 7): a game listed on every node, and
 * reached from another node: the node a player is connected to redirects it to the owner with a
 * signed ticket; LobbyClient follows by itself. Tests 1-5 share one Redis and three nodes (A, B, C);
 * test 7 kills a node, so it has its own (tests 6, 8, 9 and 10 are in cluster.test.ts).
 */

const leaseMs = 1_500;
const ticketTtlMs = 2_000;
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

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A game created on `owner`'s node, once `watcher`'s node lists it. */
async function listedGame(owner: LobbyClient, watcher: LobbyClient, name: string): Promise<GameView> {
  const view = owner.createGame(name);
  await view.until((game) => game.lsn >= 0);
  await eventually(
    `game ${view.gameId} listed on the other node`,
    async () => (await watcher.listGames({ limit: 50 })).games.some((game) => game.id === view.gameId),
    5_000,
  );
  return view;
}

function reason(outcome: GameOutcome): string {
  return outcome.kind === 'ended' ? outcome.event.reason : `failed: ${String(outcome.error)}`;
}

describe('reaching a game on another node', { timeout: 90_000 }, () => {
  let nodes: { a: ClusterNodeProcess; b: ClusterNodeProcess; c: ClusterNodeProcess };
  let redisUrl = '';
  beforeAll(async () => {
    const redis = await startRedis({ shared: true });
    redisUrl = redis.url;
    const settings = { redis: redis.url, leaseMs, ticketTtlMs, shared: true };
    const [a, b, c] = await Promise.all([
      startClusterNode({ ...settings, name: 'a' }),
      startClusterNode({ ...settings, name: 'b' }),
      startClusterNode({ ...settings, name: 'c' }),
    ]);
    nodes = { a, b, c };
    await Promise.all([a, b, c].map((node) => node.waitFor('registered under epoch')));
  }, 100_000);

  test('1: a game created on node A appears on node B within a second', async () => {
    const [ada, bob] = await Promise.all([player('ada', nodes.a.tcp), player('bob', nodes.b.tcp)]);
    const game = ada.createGame('across');
    const createdAt = performance.now();
    await game.until((view) => view.lsn >= 0);
    expect(game.gameId).toMatch(/^g[1-9][0-9]*\.a$/);
    await eventually(
      'the game listed on B',
      async () => (await bob.listGames({ limit: 50 })).games.some((summary) => summary.id === game.gameId),
      1_000,
    );
    expect(performance.now() - createdAt).toBeLessThan(1_000);
    expect((await bob.listGames()).stale).toBe(false);
  });

  test('2: a client on C plays a full match in a game owned by A, with another player on A', async () => {
    const cidIdentity = await Identity.generate({ name: 'cid' });
    const [ada, cid] = await Promise.all([player('ada', nodes.a.tcp), player(cidIdentity, nodes.c.tcp)]);
    const game = await listedGame(ada, cid, 'a vs c');
    const xSeat = await joinSlot(game, 0, 'ada');
    // cid opens the game as if it were local: LobbyClient follows the redirect to A.
    const remote = cid.openGame(game.gameId);
    const oSeat = await joinSlot(remote, 1, 'cid');
    await game.until((view) => view.slots[1]?.name === 'cid');
    // A knows cid by the identity cid proved to A itself, not by what C said.
    expect(game.slots[1]?.fingerprint).toBe(cidIdentity.fingerprint);
    await launchWhenSeen(game);
    const [x, o] = await Promise.all([xSeat.launched, oSeat.launched]);
    const outcomes = await Promise.all([playToEnd(x), playToEnd(o)]);
    expect(outcomes.map(reason)).toEqual(['played', 'played']);
    expect(outcomes[1]?.kind === 'ended' && outcomes[1].event.score).toEqual(
      outcomes[0]?.kind === 'ended' && outcomes[0].event.score,
    );
  });

  test('a launcher reached through a redirect is released when its client lets go: the game then closes', async () => {
    const [ada, cid] = await Promise.all([player('ada', nodes.a.tcp), player('cid', nodes.c.tcp)]);
    const game = await listedGame(ada, cid, 'let go');
    const remote = cid.openGame(game.gameId);
    await remote.until((view) => view.lsn >= 0);
    game[Symbol.dispose]();
    // cid's launcher alone keeps the game open.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await cid.listGames({ limit: 50 })).games.map((g) => g.id)).toContain(game.gameId);
    remote[Symbol.dispose]();
    await eventually(
      'the game closed on A and unlisted on C',
      async () => !(await cid.listGames({ limit: 50 })).games.some((g) => g.id === game.gameId),
      3_000,
    );
    expect(nodes.c.output()).toContain(`game ${game.gameId} of a unlisted: it was closed`);
  });

  test('3: six clients on three nodes race for one slot: exactly one wins', async () => {
    const owner = await player('owner', nodes.a.tcp);
    const racers = await Promise.all(
      ['a', 'a', 'b', 'b', 'c', 'c'].map((node, index) =>
        player(`racer${index}`, nodes[node as 'a' | 'b' | 'c'].tcp),
      ),
    );
    const game = await listedGame(owner, racers[5] as LobbyClient, 'the race');
    await eventually(
      'the game listed on B',
      async () => (await (racers[2] as LobbyClient).listGames()).games.some((g) => g.id === game.gameId),
      5_000,
    );
    const views = racers.map((racer) => racer.openGame(game.gameId));
    await Promise.all(views.map((view) => view.until((v) => v.lsn >= 0)));
    const results = await Promise.allSettled(
      views.map((view, index) => view.join(1, `racer${index}`, () => {})),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((result) => (result as PromiseRejectedResult).reason)).toEqual(
      Array.from({ length: 5 }, () => expect.objectContaining({ code: 'slot-taken' })),
    );
    await game.until((view) => view.slots[1]?.name !== null);
  });

  test('entries in Redis that do not parse are ignored and counted, never thrown; lists are unaffected', async () => {
    const ada = await player('ada', nodes.a.tcp);
    const game = await listedGame(ada, await player('bob', nodes.b.tcp), 'honest');
    const directory = new ClusterDirectory({
      redis: redisUrl,
      node: 'x',
      identity: await Identity.generate({ name: 'x' }),
      leaseMs,
    });
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      directory.start('tcp:127.0.0.1:1');
      await eventually(
        'the mirror to see A',
        async () => directory.mirroredGames.some((g) => g.id === game.gameId),
        5_000,
      );
      const before = directory.ignoredEntries;
      const good = JSON.parse((await redis.hget('msc:lobby:games', game.gameId)) as string);
      const bad: [string, string][] = [
        ['g900.b', 'not json'],
        ['g901.b', JSON.stringify({ ...good, id: 'g901.b' })], // owner a, but the id says b
        ['g902.a', JSON.stringify({ ...good, id: 'g902.a', name: '\u001b[2Jhi' })], // a terminal escape
        [
          'g903.a',
          JSON.stringify({ ...good, id: 'g903.a', settings: { rounds: 1e308, boardSize: 3, starters: [] } }),
        ],
        ['g904.a', JSON.stringify({ ...good, id: 'g904.a', openSlots: [0, 0, 0, 0, 0] })],
        ['g905.a', JSON.stringify({ ...good, id: 'g905.a', pad: 'x'.repeat(5_000) })],
      ];
      for (const [id, text] of bad) {
        await redis.xadd('msc:lobby:events', '*', 'k', 'put', 'id', id, 'v', text);
      }
      await redis.xadd('msc:lobby:events', '*', 'k', 'bogus', 'id', 'g1.a');
      await redis.xadd('msc:lobby:events', '*', 'k', 'node-up', 'id', 'b', 'v', '{"epoch":1}');
      await eventually(
        'the mirror to ignore all eight',
        async () => directory.ignoredEntries - before >= 8,
        5_000,
      );
      expect(directory.mirroredGames.map((g) => g.id)).not.toEqual(expect.arrayContaining(['g900.b']));
      for (const [id] of bad) expect(directory.mirroredGames.some((g) => g.id === id)).toBe(false);
      // The nodes went on: A still lists its game, B still lists A's.
      expect((await ada.listGames({ limit: 50 })).games.map((g) => g.id)).toContain(game.gameId);
      expect(nodes.a.alive() && nodes.b.alive() && nodes.c.alive()).toBe(true);
      await nodes.b.waitFor('ignored an entry of the directory that does not parse', 2_000);
    } finally {
      redis.disconnect();
      await directory.close();
    }
  });

  test('5: a createGame retried after a forced disconnect yields one game (on the same node, and through another)', async () => {
    const identity = await Identity.generate({ name: 'pat' });
    const requestId = 'retry-0123456789';
    const [first, bob] = await Promise.all([player(identity, nodes.a.tcp), player('bob', nodes.b.tcp)]);
    const created = first.createGame('retried', requestId);
    await created.until((view) => view.lsn >= 0);
    // The answer is lost: the player retries on a new connection before node A noticed the old one
    // died, then the old connection goes.
    const second = await player(identity, nodes.a.tcp);
    const retried = second.createGame('retried', requestId);
    await retried.until((view) => view.lsn >= 0);
    expect(retried.gameId).toBe(created.gameId);
    await first.close('the connection was cut');
    // The same id from another player is another request.
    const other = await player('quinn', nodes.a.tcp);
    const others = other.createGame('retried', requestId);
    await others.until((view) => view.lsn >= 0);
    expect(others.gameId).not.toBe(created.gameId);
    await eventually(
      'both games listed on B',
      async () =>
        (await bob.listGames({ limit: 50 })).games.filter((game) => game.name === 'retried').length === 2,
      5_000,
    );
    const named = (await second.listGames({ limit: 50 })).games.filter((game) => game.name === 'retried');
    expect(named.map((game) => game.id).sort()).toEqual([created.gameId, others.gameId].sort());
    // A retry through another node, once that node lists the game, reaches the same game on A.
    const third = await player(identity, nodes.c.tcp);
    await eventually(
      'the game listed on C',
      async () => (await third.listGames({ limit: 50 })).games.some((game) => game.id === created.gameId),
      5_000,
    );
    const throughC = third.createGame('retried', requestId);
    await throughC.until((view) => view.lsn >= 0);
    expect(throughC.gameId).toBe(created.gameId);
    const everywhere = (await bob.listGames({ limit: 50 })).games.filter((game) => game.name === 'retried');
    expect(everywhere).toHaveLength(2);
  });

  test('4: a ticket replayed by another identity, expired, forged, for another game or another node is refused', async () => {
    const bobIdentity = await Identity.generate({ name: 'bob' });
    const [ada, bob, eve] = await Promise.all([
      player('ada', nodes.a.tcp),
      player(bobIdentity, nodes.b.tcp),
      player('eve', nodes.a.tcp),
    ]);
    const game = await listedGame(ada, bob, 'tickets');
    const other = await listedGame(ada, bob, 'another');
    const bobOnA = await player(bobIdentity, nodes.a.tcp);
    const redeem = async (client: LobbyClient, id: string, ticket: string) =>
      client.lobby.redeem(id, ticket).whenResolved();
    const redirect = await bob.lobby.redirect(game.gameId);
    expect(redirect).toMatchObject({ address: nodes.a.tcp, fingerprint: nodes.a.fingerprint });

    // Replayed by another identity.
    await expect(redeem(eve, game.gameId, redirect.ticket)).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining('issued to another player'),
    });
    // For another game.
    await expect(redeem(bobOnA, other.gameId, redirect.ticket)).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining(`for game ${game.gameId}`),
    });
    // At another node than the owner.
    const bobOnC = await player(bobIdentity, nodes.c.tcp);
    await expect(redeem(bobOnC, game.gameId, redirect.ticket)).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining('for node a, not c'),
    });
    // Forged: the payload changed under B's signature, and a payload signed by a key that is not B's.
    const [payload, signature] = redirect.ticket.split('.') as [string, string];
    const changed = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), game: other.gameId };
    const tampered = `${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`;
    await expect(redeem(bobOnA, other.gameId, tampered)).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining("signature is not b's"),
    });
    const stranger = await Identity.generate({ name: 'b' });
    const forged = await issueTicket(stranger, { ...changed, game: game.gameId });
    await expect(redeem(bobOnA, game.gameId, forged)).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining("signature is not b's"),
    });
    const unknownIssuer = await issueTicket(stranger, { ...changed, game: game.gameId, issuer: 'z' });
    await expect(redeem(bobOnA, game.gameId, unknownIssuer)).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining('not a node of this cluster'),
    });
    // The genuine ticket works for its player at the owner, then expires.
    await expect(redeem(bobOnA, game.gameId, redirect.ticket)).resolves.toBeUndefined();
    // A node the directory lists but A's mirror has not heard of yet (its record is in the nodes
    // hash with a lease, its node-up not read yet: here never written): A asks the directory.
    const late = await Identity.generate({ name: 'lobby-y' });
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const tail = nodeRecordTail({
        name: 'y',
        address: 'tcp:127.0.0.1:1',
        fingerprint: late.fingerprint,
        publicKey: late.publicIdentity.publicKeyText,
      });
      await redis.set('msc:lobby:lease:y', '999', 'PX', 20_000);
      await redis.hset('msc:lobby:nodes', 'y', `{"epoch":999,${tail}`);
      const fromY = await issueTicket(late, {
        ...changed,
        game: game.gameId,
        issuer: 'y',
        exp: Date.now() + ticketTtlMs,
      });
      await expect(redeem(bobOnA, game.gameId, fromY)).resolves.toBeUndefined();
      // Signed by y, but expiring later than any ticket of the cluster (ttl + clock skew allowance).
      const tooLong = await issueTicket(late, {
        ...changed,
        game: game.gameId,
        issuer: 'y',
        exp: Date.now() + ticketTtlMs + 60_000,
      });
      await expect(redeem(bobOnA, game.gameId, tooLong)).rejects.toMatchObject({
        code: 'bad-ticket',
        message: expect.stringContaining("the issuer's clock is ahead"),
      });
    } finally {
      await redis.del('msc:lobby:lease:y');
      await redis.hdel('msc:lobby:nodes', 'y');
      redis.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, redirect.expiresAt - Date.now() + 50)));
    await expect(redeem(bobOnA, game.gameId, redirect.ticket)).rejects.toMatchObject({
      code: 'bad-ticket',
      message: expect.stringContaining('expired'),
    });
    // Garbage is refused by the schema before anything is computed from it.
    await expect(redeem(bobOnA, game.gameId, 'x'.repeat(5_000))).rejects.toMatchObject({
      name: 'ArgumentError',
    });
  });
});

describe('a node dies during a match', { timeout: 90_000 }, () => {
  test('7: SIGKILL of the owner during a match: that match aborts, a concurrent match elsewhere finishes', async () => {
    const redis = await startRedis();
    // Nothing here waits for a lease or a ticket to lapse (the killed node's players learn from their
    // connections), so both are long: on a loaded machine a 2 s ticket could lapse in a redirect.
    const settings = { redis: redis.url, leaseMs: 10_000, ticketTtlMs: 30_000 };
    const [a, b, c] = await Promise.all([
      startClusterNode({ ...settings, name: 'a' }),
      startClusterNode({ ...settings, name: 'b' }),
      startClusterNode({ ...settings, name: 'c' }),
    ]);
    // Listening is not registered: C issues tickets only once it is a node of the directory.
    await Promise.all([a, b, c].map((node) => node.waitFor('registered under epoch')));
    const [ada, cid, bob, bea] = await Promise.all([
      player('ada', a.tcp),
      player('cid', c.tcp),
      player('bob', b.tcp),
      player('bea', b.tcp),
    ]);
    // On A: ada (on A) against cid (on C, through a redirect).
    const doomed = await listedGame(ada, cid, 'doomed');
    const doomedX = await joinSlot(doomed, 0, 'ada');
    const doomedO = await joinSlot(cid.openGame(doomed.gameId), 1, 'cid');
    await doomed.until((view) => view.slots[1]?.name === 'cid');
    await launchWhenSeen(doomed);
    const doomedPlayers = await Promise.all([doomedX.launched, doomedO.launched]);
    // On B: bob against bea, launched but not played yet.
    const kept = bob.createGame('kept');
    await kept.until((view) => view.lsn >= 0);
    const keptX = await joinSlot(kept, 0, 'bob');
    const keptO = await joinSlot(bea.openGame(kept.gameId), 1, 'bea');
    await kept.until((view) => view.slots[1]?.name === 'bea');
    await launchWhenSeen(kept);
    const keptPlayers = await Promise.all([keptX.launched, keptO.launched]);

    await a.kill();
    const aborted = await Promise.all(doomedPlayers.map((seat) => seat.outcome));
    expect(aborted.map((outcome) => outcome.kind)).toEqual(['failed', 'failed']);
    for (const outcome of aborted) {
      expect(outcome.kind === 'failed' && outcome.error).toMatchObject({ name: 'AbortedError' });
    }
    const finished = await Promise.all(keptPlayers.map((seat) => playToEnd(seat)));
    expect(finished.map(reason)).toEqual(['played', 'played']);
  });
});
