import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import { afterEach, describe, expect, test } from 'vitest';
import { LobbyClient } from '../src/client/lobby-client.ts';
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

async function player(name: string, address: string): Promise<LobbyClient> {
  const client = LobbyClient.connect({
    identity: await Identity.generate({ name }),
    transport: tcp(),
    address,
  });
  clients.push(client);
  await client.ready();
  return client;
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

describe('redis for tests', () => {
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

describe('the lobby across machines', () => {
  test('1: a game created on node A appears on node B within a second', async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([
      startClusterNode({ name: 'a', redis: redis.url, leaseMs }),
      startClusterNode({ name: 'b', redis: redis.url, leaseMs }),
    ]);
    await Promise.all([a.waitFor('registered under epoch'), b.waitFor('registered under epoch')]);
    const [ada, bob] = await Promise.all([player('ada', a.tcp), player('bob', b.tcp)]);
    const game = ada.createGame('across');
    await game.until((view) => view.lsn >= 0);
    const id = game.gameId;
    expect(id).toMatch(/^g1\.a$/);
    const took = await eventually(
      'the game listed on B',
      async () => (await listedIds(bob)).includes(id),
      1_000,
    );
    expect(took).toBeLessThan(1_000);
    const page = await bob.listGames();
    expect(page.stale).toBe(false);
  });
});
