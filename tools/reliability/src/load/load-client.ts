/*
 * The client half of the session load check, run by `sessionLoad` (one or two of these per run).
 * Usage: `load-client.ts <tcp|ws> <address> <sessions> <concurrency>`.
 *
 * Opens `sessions` sessions to the server (at most `concurrency` handshakes at a time), each checked
 * with one call, and keeps them all open. Prints `connected <json>` (sessions open, failures by
 * message). Commands on stdin:
 *   go <ms>  every open session calls in a loop (one call outstanding per session) for <ms>
 *            milliseconds, then `called <json>` (calls, errors, elapsed ms, latency percentiles)
 *   quit     terminate every session and exit
 */
import { parseArgs } from 'node:util';
import type { Proxy } from '@msc/eventual';
import { Session, unauthenticated } from '@msc/session';
import { onCommandLines } from '../child-commands.ts';
import { settledWithin } from '../within.ts';
import { loadTransport } from './load-transport.ts';

interface Counter {
  add(value: number): Promise<number>;
}

const [kind = 'tcp', address = '', sessionText = '0', concurrencyText = '100'] = parseArgs({
  allowPositionals: true,
}).positionals;
const { transport } = loadTransport(kind);
const wanted = Number(sessionText);
const concurrency = Math.max(1, Number(concurrencyText));
const failures: Record<string, number> = {};
const fail = (error: unknown) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 160) : String(error);
  failures[message] = (failures[message] ?? 0) + 1;
};

const open: { session: Session<undefined>; remote: Proxy<Counter> }[] = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Math.min(concurrency, wanted) }, async () => {
    while (next < wanted) {
      const index = next++;
      try {
        const connection = await transport.dial(address, { timeoutMs: 30_000 });
        const session = new Session({ connection, role: 'dialer', authenticator: unauthenticated() });
        const remote = session.remoteRoot<Counter>();
        try {
          const answer = await remote.add(index);
          if (answer !== index + 1) throw new Error(`expected ${index + 1}, got ${answer}`);
          open.push({ session, remote });
        } catch (error) {
          remote[Symbol.dispose]();
          await session.terminate('failed');
          throw error;
        }
      } catch (error) {
        fail(error);
      }
    }
  }),
);
console.log(
  `connected ${JSON.stringify({ open: open.length, milliseconds: performance.now() - started, failures })}`,
);

async function callFor(milliseconds: number): Promise<void> {
  const latencies: number[] = [];
  let calls = 0;
  let errors = 0;
  const callStarted = performance.now();
  const deadline = callStarted + milliseconds;
  await Promise.all(
    open.map(async ({ remote }, index) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        try {
          await remote.add(index);
          calls++;
          latencies.push(performance.now() - sent);
        } catch (error) {
          errors++;
          fail(error);
          return;
        }
      }
    }),
  );
  const elapsed = performance.now() - callStarted;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  console.log(
    `called ${JSON.stringify({ calls, errors, milliseconds: elapsed, p50: percentile(0.5), p99: percentile(0.99), failures })}`,
  );
}

onCommandLines((line) => {
  const [command, argument] = line.split(' ');
  if (command === 'go') void callFor(Number(argument));
  else if (command === 'quit') {
    void (async () => {
      for (const { remote } of open) remote[Symbol.dispose]();
      await settledWithin(Promise.all(open.map(({ session }) => session.terminate('load over'))), 10_000);
      process.exit(0);
    })();
  }
});
