/**
 * Child process entry: measures one registry entry and sends its rows to the parent over IPC.
 * Each adapter gets a fresh process (started by `main.ts` with --expose-gc and without the
 * `@msc/source` condition) so that heap figures, JIT state and globals of one library never leak into
 * another's numbers, and @msc runs from its built `dist/` like the peers run from theirs.
 *
 * Arguments: `<registry key> --profile <name> [--runs <n>] [--workloads W1,W2] [--application-heap
 * <MiB>] [--baseline-root <path> --baseline-label <label>]`. `--runs` overrides the profile's measured
 * repetitions; `--workloads` keeps only the named workloads; `--application-heap` the MiB of state the
 * process holds before it loads the library (`application-heap.ts`); a baseline root makes `@msc/*`
 * load from that checkout's build, and the key is then a baseline twin (`@msc@<label>/<transport>`).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { baselineEntry, isMscEntry, type RegistryEntry, registry } from './adapters/registry.ts';
import { holdApplicationHeap, parseApplicationHeap } from './application-heap.ts';
import { measureAdapter } from './measure.ts';
import { useBaselineBuild, useWorkspaceBuild } from './msc-build.ts';
import { fullProfile, type Profile, quickProfile, smokeProfile } from './profile.ts';
import type { ResultRow } from './result-row.ts';
import type { TurnPosition } from './turn-scheduler.ts';

/** What the child sends to the parent. */
export type MeasureMessage =
  | {
      type: 'rows';
      rows: ResultRow[];
      /** For an @msc entry: the file `@msc/session` loaded from here, so the report shows which build ran. */
      mscFrom?: string;
    }
  | { type: 'failed'; error: string }
  /** Waits for a turn at this position (`turn-scheduler.ts`); the parent answers `{ type: 'go' }`. */
  | { type: 'turn'; position: TurnPosition };

/** What the parent sends: the turn this child asked for is its own now. */
export interface TurnGranted {
  type: 'go';
}

/** A window in which this process (every thread: GC helpers, a worker) used under 1 ms of CPU is quiet. */
const quietWindowMilliseconds = 10;
/** Most windows to wait for a quiet one. */
const maxQuietWindows = 50;

/**
 * Resolves once this process has gone quiet (a window of {@link quietWindowMilliseconds} with under
 * 1 ms of CPU time), or after {@link maxQuietWindows} windows. A run leaves work behind it: concurrent
 * sweeping and marking on V8's helper threads, a worker thread's last messages, freed buffers. Done
 * after the turn passed on, that work would run beside the next child's run, on a 2-core machine,
 * and charge it to that child (bulk workloads the most); done here, it stays in this child's turn.
 */
async function quiet(): Promise<void> {
  for (let window = 0; window < maxQuietWindows; window++) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, quietWindowMilliseconds));
    const used = process.cpuUsage(before);
    if (used.user + used.system < 1000) return;
  }
}

/**
 * Under a parent (an IPC channel): asks it for a turn and resolves once granted. Run directly, with no
 * parent, there is nobody to share the machine with: no hook.
 */
function turnTaking(): ((workload: number, run: number) => Promise<void>) | undefined {
  if (process.send === undefined) return undefined;
  let granted: (() => void) | undefined;
  // A parent that went away (killed, crashed) grants no more turns: waiting would keep this process,
  // its servers and sockets alive for ever.
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message: TurnGranted) => {
    if (message.type !== 'go' || granted === undefined) return;
    const resolve = granted;
    granted = undefined;
    resolve();
  });
  return async (workload, run) => {
    await quiet();
    await new Promise<void>((resolve) => {
      granted = resolve;
      void send({ type: 'turn', position: [workload, run] });
    });
  };
}

const profiles: Record<string, Profile> = { full: fullProfile, quick: quickProfile, smoke: smokeProfile };

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      profile: { type: 'string', default: 'full' },
      runs: { type: 'string' },
      workloads: { type: 'string' },
      'application-heap': { type: 'string' },
      'baseline-root': { type: 'string' },
      'baseline-label': { type: 'string' },
    },
  });
  const [key] = positionals;
  const profile = profiles[values.profile];
  const runs = values.runs === undefined ? profile?.runs : Number(values.runs);
  if (profile === undefined || runs === undefined || !Number.isInteger(runs) || runs < 1) {
    throw new Error(`expected a profile name and a run count ≥ 1, got ${values.profile} and ${values.runs}`);
  }
  const applicationHeap = parseApplicationHeap(values['application-heap'], profile.applicationHeapMebibytes);
  // Before the library loads: its code and objects then sit on top of the application's state.
  holdApplicationHeap(applicationHeap);
  let entries: readonly RegistryEntry[] = registry;
  const baselineRoot = values['baseline-root'];
  const baselineLabel = values['baseline-label'];
  if (baselineRoot !== undefined && baselineLabel !== undefined) {
    useBaselineBuild(baselineRoot);
    entries = registry.filter(isMscEntry).map((entry) => baselineEntry(entry, baselineLabel));
  } else useWorkspaceBuild();
  const entry = entries.find((candidate) => candidate.key === key);
  if (entry === undefined) throw new Error(`expected a registry key, got ${key}`);
  const adapter = await entry.load();
  const beforeRun = turnTaking();
  const rows = await measureAdapter(
    adapter,
    { ...profile, runs, applicationHeapMebibytes: applicationHeap },
    {
      onRow: (row) => process.stderr.write(`  ${key} ${row.workload} done\n`),
      ...(values.workloads === undefined ? {} : { workloads: values.workloads.split(',') }),
      ...(beforeRun === undefined ? {} : { beforeRun }),
    },
  );
  const mscFrom = key?.startsWith('@msc') ? fileURLToPath(import.meta.resolve('@msc/session')) : undefined;
  send({ type: 'rows', rows, ...(mscFrom === undefined ? {} : { mscFrom }) });
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
