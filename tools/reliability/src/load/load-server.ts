/*
 * The server half of the session load check, run by `sessionLoad` in a process of its own so that its
 * memory is the server's alone. Usage: `load-server.ts <tcp|ws>`.
 *
 * Prints `address <address>` once listening. Commands on stdin:
 *   measure  collect garbage twice, then print `measure <json>` (memory, open sessions, calls served,
 *            peak RSS since the last measure)
 *   quit     terminate every session, close the listener and exit
 */
import { parseArgs } from 'node:util';
import { proxy } from '@msc/eventual';
import { Session, unauthenticated } from '@msc/session';
import type { Connection } from '@msc/transport';
import { onCommandLines } from '../child-commands.ts';
import { loadTransport } from './load-transport.ts';

const { transport, listenAddress } = loadTransport(
  parseArgs({ allowPositionals: true }).positionals[0] ?? 'tcp',
);
const sessions = new Set<Session<undefined>>();
let open = 0;
let calls = 0;
let failed = 0;

/** The root every session gets: one method, so a call measures the session machinery, not the work. */
class Counter {
  async add(value: number): Promise<number> {
    calls++;
    return value + 1;
  }
}

const listener = await transport.listen(listenAddress, (connection: Connection) => {
  const root = proxy(new Counter());
  const session = new Session({ connection, role: 'listener', authenticator: unauthenticated(), root });
  root[Symbol.dispose]();
  sessions.add(session);
  session.established.then(
    () => open++,
    () => failed++,
  );
  void session.closed.then(async () => {
    sessions.delete(session);
    // `established` settles before `closed`; only a session that was counted open is uncounted.
    await session.established.then(
      () => open--,
      () => {},
    );
  });
});

let peakRss = process.memoryUsage().rss;
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 250).unref();

const collect = globalThis.gc ?? (() => {});
console.log(`address ${listener.address}`);

onCommandLines((command) => {
  if (command === 'measure') {
    collect();
    collect();
    const memory = process.memoryUsage();
    console.log(
      `measure ${JSON.stringify({
        heapUsed: memory.heapUsed,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
        rss: memory.rss,
        peakRss: Math.max(peakRss, memory.rss),
        open,
        failed,
        calls,
      })}`,
    );
    peakRss = memory.rss;
  } else if (command === 'quit') {
    void (async () => {
      await Promise.allSettled([...sessions].map((session) => session.terminate('load over')));
      await listener.close();
      process.exit(0);
    })();
  }
});
