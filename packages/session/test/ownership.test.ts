import { type Proxy, proxy } from '@msc/eventual';
import type { Session } from '../src/index.ts';
import { describeOwnership } from './fixtures/ownership-scenarios.ts';
import { served } from './harness.ts';

// The ownership table's scenarios in one thread (a plain proxy() is the caller's capability): the
// same rules hold locally as across a session.
describeOwnership('ownership, locally', async () => ({
  serve: async (host) => proxy(host),
  sessions: () => [],
  close: async () => {},
}));

// The same scenarios across a session over the memory transport (the harness checks the tables
// again after each test, with garbage collection; the scenarios check them before, without).
describeOwnership('ownership, over a memory session', async () => {
  const sessions: Session<unknown>[] = [];
  return {
    serve: async <I extends object>(host: I): Promise<Proxy<I>> => {
      const pair = served<I>(host);
      sessions.push(pair.dialer, pair.listener);
      return pair.remote;
    },
    sessions: () => sessions,
    close: async () => {},
  };
});
