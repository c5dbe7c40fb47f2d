import { proxy } from '@msc/eventual';
import { Session, unauthenticated } from '@msc/session';
import { memoryPair } from '@msc/transport-memory';
import { describe, expect, it } from 'vitest';
import { BenchRoot, type IBenchRoot } from '../src/adapters/msc-bench-root.ts';
import { mscConnection } from '../src/adapters/msc-connection.ts';
import { expectTablesBack } from '../src/table-check.ts';

/** A session pair serving the bench root, as the in-process @msc row makes it. */
async function benchSessions() {
  const [client, server] = memoryPair();
  const root = proxy<IBenchRoot>(new BenchRoot());
  const serverSession = new Session({
    connection: server,
    role: 'listener',
    authenticator: unauthenticated(),
    root,
  });
  root[Symbol.dispose]();
  const clientSession = new Session({ connection: client, role: 'dialer', authenticator: unauthenticated() });
  await clientSession.established;
  const remote = clientSession.remoteRoot<IBenchRoot>();
  const connection = mscConnection(
    remote,
    async () => {
      remote[Symbol.dispose]();
      await clientSession.terminate('done');
      await serverSession.closed;
    },
    () => ({ client: [clientSession], server: [serverSession] }),
  );
  return { connection, remote };
}

describe('the table check after a workload', () => {
  it('passes when every capability a workload made was released, and waits for lazy releases', async () => {
    const { connection } = await benchSessions();
    try {
      const before = connection.tables!();
      for (let index = 0; index < 20; index++) expect(await connection.incrementNewCounter()).toBe(1);
      await expectTablesBack(connection, before, 1000);
    } finally {
      await connection.close();
    }
  });

  it('fails, naming each table, when a workload leaves something behind', async () => {
    const { connection, remote } = await benchSessions();
    try {
      const before = connection.tables!();
      const kept = remote.getCounter(); // never disposed: the server keeps exporting it
      expect(await kept.inc()).toBe(1);
      await expect(expectTablesBack(connection, before, 100)).rejects.toThrow(
        /expected every session table back to its size before the workload, but after 100 ms: .*client\.imports 1 → 2.*server\.exports 1 → 2/,
      );
      kept[Symbol.dispose]();
      await expectTablesBack(connection, before, 1000);
    } finally {
      await connection.close();
    }
  });

  it('does nothing for a library without tables', async () => {
    await expectTablesBack({ tables: undefined } as never, undefined, 0);
  });
});
