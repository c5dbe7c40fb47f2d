import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { LobbyClient } from '../src/client/lobby-client.ts';
import { requestKey } from '../src/cluster/directory-entry.ts';
import { reserveRequestScript } from '../src/cluster/directory-scripts.ts';
import { maxReservationLength } from '../src/cluster/request-reservations.ts';
import { type ClusterNodeProcess, startClusterNode } from './cluster-node-process.ts';
import { type RedisProcess, startRedis } from './redis-process.ts';
import { replyDroppingProxy } from './reply-dropping-proxy.ts';

/*
 * Idempotent creation across nodes (issue 19: "Creation is idempotent (a client request id), never
 * 'create locally on timeout'"): a node reserves a request id in Redis before it creates the game,
 * so a retry through another node finds the reservation even before that node's mirror lists the
 * game. Two nodes A and B on one Redis, shared by the tests that keep them alive.
 */

const leaseMs = 1_500;
const clients: LobbyClient[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
});

async function player(name: string | Identity, address: string, via?: string): Promise<LobbyClient> {
  const identity = typeof name === 'string' ? await Identity.generate({ name }) : name;
  // Through a relay, the client still dials the node's address, and says that it cannot observe
  // the socket's addresses (they are the relay's), so the handshake binds to none.
  const direct = tcp();
  const transport =
    via === undefined
      ? direct
      : {
          name: direct.name,
          dial: async (_address: string, options?: Parameters<typeof direct.dial>[1]) =>
            Object.defineProperty(await direct.dial(via, options), 'addressesObservable', { value: false }),
          listen: direct.listen.bind(direct),
        };
  const client = LobbyClient.connect({ identity, transport, address });
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

async function named(client: LobbyClient, name: string): Promise<string[]> {
  return (await client.listGames({ limit: 50 })).games
    .filter((game) => game.name === name)
    .map((game) => game.id);
}

describe('a createGame retried through another node', { timeout: 90_000 }, () => {
  let redis: RedisProcess;
  let a: ClusterNodeProcess;
  let b: ClusterNodeProcess;
  beforeAll(async () => {
    redis = await startRedis({ shared: true });
    [a, b] = await Promise.all([
      startClusterNode({ name: 'a', redis: redis.url, leaseMs, shared: true }),
      startClusterNode({ name: 'b', redis: redis.url, leaseMs, shared: true }),
    ]);
    await Promise.all([a, b].map((node) => node.waitFor('registered under epoch')));
  }, 100_000);

  test("5, across nodes: the answer on A is lost, the retry through B comes before B's mirror could list the game: one game, and the retry names it", async () => {
    const identity = await Identity.generate({ name: 'pat' });
    const watcherA = await player('wat', a.tcp);
    const watcherB = await player('web', b.tcp);
    let raced = 0;
    for (let round = 0; round < 3; round++) {
      const name = `raced ${round}`;
      const requestId = `race-${round}-0123456789`;
      const relay = await replyDroppingProxy(a.tcp);
      try {
        const [first, second] = await Promise.all([
          player(identity, a.tcp, relay.address),
          player(identity, b.tcp),
        ]);
        relay.dropReplies();
        // Sent to A; its answer never comes back (A still sees the connection, so it keeps the game).
        const lost = first.createGame(name, requestId);
        void lost.ended.catch(() => {});
        // Retried through B at once. The list, asked on the same session just before, shows what B
        // knew when the retry arrived: when it lacks the game, B's mirror could not have answered.
        const before = second.listGames({ limit: 50 });
        const retried = second.createGame(name, requestId);
        await retried.until((view) => view.lsn >= 0);
        if (!(await before).games.some((game) => game.name === name)) raced++;
        await eventually(
          `game ${retried.gameId} listed on A and B`,
          async () =>
            (await named(watcherA, name)).includes(retried.gameId) &&
            (await named(watcherB, name)).includes(retried.gameId),
          5_000,
        );
        // A twin, if any, would be listed by now too (publication takes a batch of 20 ms).
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(await named(watcherA, name)).toEqual([retried.gameId]);
        expect(await named(watcherB, name)).toEqual([retried.gameId]);
      } finally {
        await relay.close();
      }
    }
    // At least one round raced B's mirror for real (under load all three usually do).
    expect(raced).toBeGreaterThan(0);
  });

  test('a reservation read back from Redis that is garbage, of another type or names a game never listed: refused with a clear error, nothing created, the nodes go on', async () => {
    const identity = await Identity.generate({ name: 'gus' });
    const bob = await player(identity, b.tcp);
    const direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const key = (requestId: string) => `msc:lobby:request:${requestKey(identity.fingerprint, requestId)}`;
      await direct.set(key('garbage-0123456789'), '{"game": [1, 2', 'PX', 60_000);
      await direct.hset(key('a-hash-0123456789'), 'game', 'g1.a');
      await direct.set(
        key('ghost-0123456789'),
        JSON.stringify({ game: 'g999999.a', node: 'a' }),
        'PX',
        60_000,
      );
      await direct.set(key('huge-0123456789'), 'x'.repeat(100_000), 'PX', 60_000);
      // What the script hands a node of a huge reservation is bounded: the 100 kB stay in Redis.
      const readBack = await direct.eval(
        reserveRequestScript,
        1,
        key('huge-0123456789'),
        JSON.stringify({ game: 'g1.b', node: 'b' }),
        '60000',
        String(maxReservationLength),
      );
      expect(String(readBack).length).toBeLessThanOrEqual(maxReservationLength);
      const refusals = await Promise.allSettled(
        ['garbage-0123456789', 'a-hash-0123456789', 'ghost-0123456789', 'huge-0123456789'].map(
          async (requestId) => {
            const view = bob.createGame(`hostile ${requestId.slice(0, 5)}`, requestId);
            await view.until((game) => game.lsn >= 0);
          },
        ),
      );
      expect(refusals.map((refusal) => refusal.status)).toEqual([
        'rejected',
        'rejected',
        'rejected',
        'rejected',
      ]);
      const codes = refusals.map((refusal) => (refusal as PromiseRejectedResult).reason?.code);
      expect(codes).toEqual([
        'directory-unavailable',
        'directory-unavailable',
        'no-such-game',
        'directory-unavailable',
      ]);
      for (const refusal of refusals)
        expect(String((refusal as PromiseRejectedResult).reason?.message)).toMatch(/request/);
      expect(
        (await bob.listGames({ limit: 50 })).games.filter((game) => game.name.startsWith('hostile')),
      ).toEqual([]);
      expect(a.alive() && b.alive()).toBe(true);
      // A reservation is bounded in time: the key of a real creation expires.
      const made = bob.createGame('bounded', 'bounded-0123456789');
      await made.until((game) => game.lsn >= 0);
      const ttl = await direct.pttl(key('bounded-0123456789'));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      expect(JSON.parse((await direct.get(key('bounded-0123456789'))) as string)).toEqual({
        game: made.gameId,
        node: 'b',
      });
      // Once the game closes, its reservation goes with it: the same request makes a new game.
      made[Symbol.dispose]();
      await eventually(
        'the reservation released',
        async () => (await direct.exists(key('bounded-0123456789'))) === 0,
        5_000,
      );
    } finally {
      direct.disconnect();
    }
  });
});

describe('a createGame while Redis is down', { timeout: 90_000 }, () => {
  test('is idempotent on the node it reached (local only): the retry there gets the same game', async () => {
    const redis = await startRedis();
    const a = await startClusterNode({ name: 'a', redis: redis.url, leaseMs });
    await a.waitFor('registered under epoch');
    const identity = await Identity.generate({ name: 'dot' });
    await redis.kill();
    const ada = await player(identity, a.tcp);
    await eventually('A to list stale', async () => (await ada.listGames()).stale === true, 5_000);
    const first = ada.createGame('offline', 'offline-0123456789');
    await first.until((game) => game.lsn >= 0);
    const again = await player(identity, a.tcp);
    const retried = again.createGame('offline', 'offline-0123456789');
    await retried.until((game) => game.lsn >= 0);
    expect(retried.gameId).toBe(first.gameId);
    expect(await named(ada, 'offline')).toEqual([first.gameId]);
  });
});
