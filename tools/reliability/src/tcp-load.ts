import { proxy } from '@msc/eventual';
import { Session, unauthenticated } from '@msc/session';
import type { Connection } from '@msc/transport';
import { tcp } from '@msc/transport-tcp';

/** What a loopback load run measured. */
export interface LoadFigures {
  /** Sessions attempted and sessions whose one call came back right. */
  readonly sessions: number;
  readonly succeeded: number;
  /** Sessions open at the same time, at most. */
  readonly concurrency: number;
  readonly milliseconds: number;
  /** Heap used and resident set size at the peak (sampled), in bytes. */
  readonly peakHeapBytes: number;
  readonly peakRssBytes: number;
  /** Failures by message (at most a few distinct ones). */
  readonly failures: Readonly<Record<string, number>>;
}

/**
 * Opens `sessions` sessions over TCP on 127.0.0.1 (a server session per accepted connection, root:
 * a counter), `concurrency` at a time, each making one call and ending. Bounded: loopback only, and
 * every session ends before the function returns.
 */
export async function tcpLoad(sessions: number, concurrency: number): Promise<LoadFigures> {
  const transport = tcp();
  const server = new Set<Session<unknown>>();
  class Counter {
    async add(n: number): Promise<number> {
      return n + 1;
    }
  }
  const listener = await transport.listen('tcp:127.0.0.1:0', (connection: Connection) => {
    const root = proxy(new Counter());
    const session = new Session({ connection, role: 'listener', authenticator: unauthenticated(), root });
    root[Symbol.dispose]();
    server.add(session);
    void session.closed.then(() => server.delete(session));
  });
  let peakHeapBytes = 0;
  let peakRssBytes = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakHeapBytes = Math.max(peakHeapBytes, usage.heapUsed);
    peakRssBytes = Math.max(peakRssBytes, usage.rss);
  }, 20);
  const failures: Record<string, number> = {};
  let succeeded = 0;
  let next = 0;
  const started = performance.now();
  const one = async (index: number) => {
    const connection = await transport.dial(listener.address, { timeoutMs: 10_000 });
    const session = new Session({ connection, role: 'dialer', authenticator: unauthenticated() });
    const remote = session.remoteRoot<{ add(n: number): Promise<number> }>();
    try {
      if ((await remote.add(index)) === index + 1) succeeded++;
    } finally {
      remote[Symbol.dispose]();
      await session.terminate('done');
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, sessions) }, async () => {
      while (next < sessions) {
        const index = next++;
        await one(index).catch((error: unknown) => {
          const message = error instanceof Error ? error.message.slice(0, 120) : String(error);
          failures[message] = (failures[message] ?? 0) + 1;
        });
      }
    }),
  );
  const milliseconds = performance.now() - started;
  clearInterval(sampler);
  await Promise.all([...server].map((session) => session.terminate('load over')));
  await listener.close();
  return { sessions, succeeded, concurrency, milliseconds, peakHeapBytes, peakRssBytes, failures };
}
