/*
 * Cluster check (not run by tests): join latency on the owner node vs. from another node, and the
 * directory's propagation time, on a redis-server and two lobby nodes (child processes) on loopback.
 *
 *   pnpm --filter @msc/lobby bench:cluster -- [--rounds 30]
 *
 * Each round, a host on node a creates a game. Propagation: from the createGame call to node b's
 * mirror listing it (b prints the event; read from its stdout). Local join: a player on a opens the
 * game and takes a slot (openGame → tryJoin answered). Cross-node join: a player on b does the same,
 * which goes through b's refusal (`elsewhere`), b's redirect and ticket, a session with a (the first
 * round dials it: "cold"; later rounds reuse it) and redeeming the ticket there. Bounded: 120 s.
 */
import { parseArgs } from 'node:util';
import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import { LobbyClient } from '../src/client/lobby-client.ts';
import { withLocalCluster } from '../src/cluster/local-cluster.ts';
import type { LocalNodeProcess } from '../src/cluster/local-node-process.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } });
const rounds = Math.max(2, Math.min(1_000, Math.floor(Number(values.rounds)) || 30));

function stats(samples: number[]): string {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, min ${sorted[0]?.toFixed(1)} ms (n=${sorted.length})`;
}

async function main(): Promise<void> {
  const clients: LobbyClient[] = [];
  await withLocalCluster(
    { purpose: 'cluster check', nodes: ['a', 'b'], leaseMs: 5_000, deadlineMs: 120_000 },
    async ({ nodes }) => {
      try {
        await measure(nodes, clients);
      } finally {
        await Promise.allSettled(clients.map((client) => client.close()));
      }
    },
  );
}

async function measure(nodes: readonly LocalNodeProcess[], clients: LobbyClient[]): Promise<void> {
  const [a, b] = nodes as [LocalNodeProcess, LocalNodeProcess];
  const listedOnB = new Map<string, number>();
  const unlistedOnB = new Set<string>();
  b.onLine((line) => {
    const listed = /^event: \{"kind":"listed","entry":\{"id":"([^"]+)"/.exec(line);
    if (listed?.[1] !== undefined && !listedOnB.has(listed[1])) listedOnB.set(listed[1], performance.now());
    const unlisted = /^event: \{"kind":"unlisted","id":"([^"]+)"/.exec(line);
    if (unlisted?.[1] !== undefined) unlistedOnB.add(unlisted[1]);
  });
  const connect = async (name: string, node: LocalNodeProcess) => {
    const client = LobbyClient.connect({
      identity: await Identity.generate({ name }),
      transport: tcp(),
      address: node.tcp,
    });
    clients.push(client);
    await client.ready();
    return client;
  };
  const [host, local, remote] = await Promise.all([
    connect('host', a),
    connect('local', a),
    connect('remote', b),
  ]);
  const propagation: number[] = [];
  const localJoins: number[] = [];
  const remoteJoins: number[] = [];
  let cold = Number.NaN;
  for (let round = 0; round < rounds; round++) {
    const createdAt = performance.now();
    const game = host.createGame(`round ${round}`);
    await game.until((view) => view.lsn >= 0);
    while (!listedOnB.has(game.gameId)) await new Promise((resolve) => setTimeout(resolve, 1));
    propagation.push((listedOnB.get(game.gameId) as number) - createdAt);
    const join = async (client: LobbyClient, slot: number) => {
      const startedAt = performance.now();
      const view = client.openGame(game.gameId);
      const membership = await view.join(slot, client === local ? 'local' : 'remote', () => {});
      const took = performance.now() - startedAt;
      membership[Symbol.dispose]();
      view[Symbol.dispose]();
      return took;
    };
    localJoins.push(await join(local, 2));
    const took = await join(remote, 3);
    if (round === 0) cold = took;
    else remoteJoins.push(took);
    game[Symbol.dispose]();
    // The game closes once nobody holds it; wait until b saw that (the host may have 4 open games).
    while (!unlistedOnB.has(game.gameId)) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  console.log(
    `cluster check: ${rounds} rounds, 2 nodes and redis-server on loopback (Node ${process.versions.node})`,
  );
  console.log(`directory propagation (createGame on a → listed by b's mirror): ${stats(propagation)}`);
  console.log(`join on the owner node (openGame + tryJoin):                 ${stats(localJoins)}`);
  console.log(`join from another node, session with the owner reused:       ${stats(remoteJoins)}`);
  console.log(`join from another node, first (dials and authenticates a):  ${cold.toFixed(1)} ms`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`the cluster check failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
