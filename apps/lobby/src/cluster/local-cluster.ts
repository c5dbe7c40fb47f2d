import { ensureRedisServer } from '../../../../config/redis.ts';
import { type LocalNodeProcess, type LocalNodeSettings, startLocalNode } from './local-node-process.ts';
import { type LocalRedis, startLocalRedis } from './local-redis.ts';

/** A redis-server and lobby nodes (child processes) of this machine, all registered. */
export interface LocalCluster {
  readonly redis: LocalRedis;
  /** The nodes, in the order of their names. */
  readonly nodes: readonly LocalNodeProcess[];
}

/** What {@link withLocalCluster} starts. */
export interface LocalClusterSettings {
  /** What runs on it (`cluster demo`): named when redis-server is missing or time runs out. */
  readonly purpose: string;
  /** The nodes' names. */
  readonly nodes: readonly string[];
  /** Every node's lease, ms. */
  readonly leaseMs: number;
  /** The whole run's bound, ms: past it every process is killed and this process exits 1. */
  readonly deadlineMs: number;
  /** More of each node's settings (a web endpoint, a key prefix). */
  readonly node?: Omit<LocalNodeSettings, 'name' | 'redis' | 'leaseMs'> | undefined;
}

/**
 * Runs `body` on a local cluster, for the cluster demo and the cluster check: makes sure
 * redis-server is installed (`config/redis.ts`), starts it on a free loopback port, starts the nodes
 * and waits until each registered, then runs `body`; afterwards (or past the deadline) kills every
 * node and Redis. The body closes its own clients.
 *
 * @throws what starting Redis or a node throws, or what `body` throws (after cleaning up)
 */
export async function withLocalCluster<T>(
  settings: LocalClusterSettings,
  body: (cluster: LocalCluster) => Promise<T>,
): Promise<T> {
  ensureRedisServer(settings.purpose);
  let redis: LocalRedis | undefined;
  const nodes: LocalNodeProcess[] = [];
  const deadline = setTimeout(() => {
    console.error(
      `the ${settings.purpose} did not finish within ${Math.round(settings.deadlineMs / 1000)} s`,
    );
    for (const node of nodes) node.signal('SIGKILL');
    void (redis?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  }, settings.deadlineMs);
  deadline.unref();
  try {
    redis = await startLocalRedis();
    const url = redis.url;
    const started = await Promise.allSettled(
      settings.nodes.map(async (name) => {
        const node = await startLocalNode({ ...settings.node, name, redis: url, leaseMs: settings.leaseMs });
        nodes.push(node);
        return node;
      }),
    );
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    const ordered = started.map((result) => (result as PromiseFulfilledResult<LocalNodeProcess>).value);
    await Promise.all(ordered.map((node) => node.waitFor('registered under epoch')));
    return await body({ redis, nodes: ordered });
  } finally {
    clearTimeout(deadline);
    await Promise.allSettled(nodes.map((node) => node.kill()));
    await redis?.stop();
  }
}
