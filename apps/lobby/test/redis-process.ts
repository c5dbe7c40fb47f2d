import { afterAll, afterEach } from 'vitest';
import { type LocalRedis, startLocalRedis } from '../src/cluster/local-redis.ts';

/** A redis-server of the test's own (see `LocalRedis`); the global setup made sure the binary is there. */
export type RedisProcess = LocalRedis;

const running: LocalRedis[] = [];
const shared: LocalRedis[] = [];
afterEach(() => Promise.all(running.splice(0).map((redis) => redis.stop())));
afterAll(() => Promise.all(shared.splice(0).map((redis) => redis.stop())));

/**
 * Starts a redis-server on a free loopback port (never 6379, no persistence) for this test, or with
 * `shared` for the file's tests, and waits until it answers (at most 10 s). It is SIGKILLed and its
 * directory removed after the test (after all of them with `shared`).
 */
export async function startRedis(options: { readonly shared?: boolean } = {}): Promise<RedisProcess> {
  const redis = await startLocalRedis();
  (options.shared ? shared : running).push(redis);
  return redis;
}
