/*
 * The cluster demo (`npm run demo:cluster` at the root): a redis-server on a free loopback port
 * (installed with apt when missing and root, like the tests'), three lobby nodes a, b and c as
 * child processes, and scripted players: ada on a creates a game, cy on c finds it in c's list and
 * joins it (c redirects cy to a with a signed ticket; the client follows), they play it out; bob's
 * game on b leaves every list when b is killed (SIGKILL), with the directory's reason. It prints
 * the story and exits 0 (or 1 with the reason), leaving no process behind.
 */
import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import { joinSlot, launchWhenSeen, playToEnd } from '../client/bot.ts';
import { LobbyClient } from '../client/lobby-client.ts';
import { withLocalCluster } from './local-cluster.ts';
import type { LocalNodeProcess } from './local-node-process.ts';
import type { LocalRedis } from './local-redis.ts';

const started = performance.now();
const say = (who: string, line: string) => console.log(`${who.padEnd(7)} ${line}`);
const note = (line: string) => console.log(`\n── ${line}`);
const leaseMs = 1_500;

async function main(): Promise<void> {
  const clients: LobbyClient[] = [];
  await withLocalCluster(
    { purpose: 'cluster demo', nodes: ['a', 'b', 'c'], leaseMs, deadlineMs: 90_000 },
    async ({ redis, nodes }) => {
      try {
        await story(redis, nodes, clients);
      } finally {
        await Promise.allSettled(clients.map((client) => client.close()));
      }
    },
  );
}

async function story(redis: LocalRedis, nodes: readonly LocalNodeProcess[], clients: LobbyClient[]) {
  note(`redis-server on ${redis.url} (no persistence): the directory, advertisement only`);
  const [a, b, c] = nodes as [LocalNodeProcess, LocalNodeProcess, LocalNodeProcess];
  for (const node of nodes)
    say(
      node.name,
      `node listening on ${node.tcp}, key ${node.fingerprint.slice(0, 9)}…, lease ${leaseMs} ms`,
    );
  for (const node of [a, c]) {
    node.onLine((line) => {
      if (line.startsWith('log: ') && line.includes('unlisted')) say(node.name, line.slice(5));
    });
  }

  const connect = async (name: string, node: LocalNodeProcess) => {
    const client = LobbyClient.connect({
      identity: await Identity.generate({ name }),
      transport: tcp(),
      address: node.tcp,
    });
    clients.push(client);
    await client.ready();
    say(name, `connected to node ${node.name}`);
    return client;
  };
  const [ada, bob, cy] = await Promise.all([connect('ada', a), connect('bob', b), connect('cy', c)]);

  note('ada creates a game on a; b and c list it from their mirrors of the directory');
  const game = ada.createGame('across the cluster');
  await game.until((view) => view.lsn >= 0);
  const adaSeat = await joinSlot(game, 0, 'ada');
  say('ada', `created ${game.gameId} and took X`);
  const seenAt = performance.now();
  const found = async () => (await cy.findGame((summary) => summary.id === game.gameId)) !== undefined;
  while (!(await found())) await new Promise((resolve) => setTimeout(resolve, 20));
  say('cy', `c lists ${game.gameId} after ${Math.round(performance.now() - seenAt)} ms`);

  note(
    "cy opens it: c answers `elsewhere`, redirects cy to a with a ticket for cy's key, and the client follows",
  );
  const redirect = await cy.lobby.redirect(game.gameId);
  say(
    'cy',
    `redirect: ${redirect.address}, pinned to ${redirect.fingerprint.slice(0, 9)}…, ticket valid ${Math.round((redirect.expiresAt - Date.now()) / 1000)} s`,
  );
  const cyView = cy.openGame(game.gameId);
  const cySeat = await joinSlot(cyView, 1, 'cy');
  await game.until((view) => view.slots[1]?.name === 'cy');
  say('ada', `a seated cy as O (key ${game.slots[1]?.fingerprint?.slice(0, 9)}…)`);
  await launchWhenSeen(game);
  const outcomes = await Promise.all(
    [adaSeat.launched, cySeat.launched].map(async (seat) => playToEnd(await seat)),
  );
  const ended = outcomes[0];
  if (ended?.kind !== 'ended') throw new Error(`expected the match to end, got ${JSON.stringify(outcomes)}`);
  say('cy', `the match on a ended: ${ended.event.message}`);

  note(
    'bob creates a game on b; then b is killed (SIGKILL): its game leaves every list once its lease runs out',
  );
  const doomed = bob.createGame("bob's game");
  await doomed.until((view) => view.lsn >= 0);
  while ((await ada.listGames()).games.every((summary) => summary.id !== doomed.gameId))
    await new Promise((resolve) => setTimeout(resolve, 20));
  say('ada', `a lists ${doomed.gameId}`);
  const killedAt = performance.now();
  await b.kill();
  say('b', 'SIGKILL');
  while ((await ada.listGames()).games.some((summary) => summary.id === doomed.gameId))
    await new Promise((resolve) => setTimeout(resolve, 50));
  say(
    'ada',
    `a no longer lists ${doomed.gameId}, ${Math.round(performance.now() - killedAt)} ms after the kill`,
  );
  note(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`the cluster demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
