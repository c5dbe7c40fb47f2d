/**
 * Child process entry: measures one registry entry and sends its rows to the parent over IPC.
 * Each adapter gets a fresh process (started by `main.ts` with --expose-gc) so that heap figures,
 * JIT state and globals of one library never leak into another's numbers.
 *
 * Arguments: `<registry key> <profile name>`.
 */
import { registry } from './adapters/registry.ts';
import { measureAdapter } from './measure.ts';
import { fullProfile, type Profile, quickProfile, smokeProfile } from './profile.ts';
import type { ResultRow } from './result-row.ts';

/** What the child sends to the parent. */
export type MeasureMessage = { type: 'rows'; rows: ResultRow[] } | { type: 'failed'; error: string };

const profiles: Record<string, Profile> = { full: fullProfile, quick: quickProfile, smoke: smokeProfile };

async function main(): Promise<void> {
  const [key, profileName = 'full'] = process.argv.slice(2);
  const entry = registry.find((candidate) => candidate.key === key);
  const profile = profiles[profileName];
  if (entry === undefined || profile === undefined) {
    throw new Error(`expected a registry key and a profile name, got ${key} and ${profileName}`);
  }
  const adapter = await entry.load();
  const rows = await measureAdapter(adapter, profile, {
    onRow: (row) => process.stderr.write(`  ${key} ${row.workload} done\n`),
  });
  send({ type: 'rows', rows });
}

/** Sends a message to the parent and resolves once it is handed over. */
function send(message: MeasureMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
    } else process.send(message, () => resolve());
  });
}

main()
  .catch((error: unknown) =>
    send({ type: 'failed', error: error instanceof Error ? error.message : String(error) }),
  )
  .finally(() => {
    process.disconnect?.();
    // Everything should be closed by now; if a library left a handle open, do not wait for it.
    setTimeout(() => process.exit(0), 1000).unref();
  });
