/**
 * The benchmark harness: measures every registry entry in its own child process, the children of a
 * lockstep group (the rows compared with each other) taking turns in lockstep (`turn-scheduler.ts`),
 * then prints the table and writes `results/latest.json`.
 *
 *   node --import tsx src/main.ts [--quick | --smoke] [--only key[,key…]] [--workloads W1[,W2…]]
 *                                 [--baseline <git ref>] [--rounds n] [--runs n] [--out file]
 *
 * `--quick` uses the quick profile (3 runs of shorter loops, about a minute in all); `--smoke` runs
 * one tiny iteration of everything (for the tests: checks wiring, measures nothing); `--only` keeps
 * the registry entries whose key contains one of the given strings (`--only capnweb,floor`);
 * `--workloads` keeps the named workloads. `--baseline <ref>` builds @msc at that commit in a
 * temporary worktree and measures every selected @msc entry twice, the workspace's build and the
 * baseline's (`@msc@<short hash>` rows), back to back in `--rounds` rounds (default: the profile's run
 * count; `rounds.ts`), with after ÷ before columns by wall-clock and by CPU time. Without a baseline,
 * `--rounds n` (default 1) measures every adapter once per round, in an order rotated each round, and
 * merges the runs: slow drift of a shared machine then reaches every row alike instead of whichever
 * adapters ran while it lasted. `--runs n` sets the runs each child measures per cell (default: the
 * profile's); a cell then holds rounds × runs values, from as many processes as rounds. @msc always
 * runs from its rollup output, built first.
 * Exits 1 when an adapter failed or a cell reported an error, after printing and writing what it has.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  baselineEntry,
  isMscEntry,
  lockstepGroup,
  type RegistryEntry,
  registry,
} from './adapters/registry.ts';
import { parseApplicationHeap } from './application-heap.ts';
import { type BaselineBuild, prepareBaseline } from './baseline/baseline-build.ts';
import type { MeasureMessage, TurnGranted } from './measure-process.ts';
import { buildPackages } from './package-build.ts';
import { fullProfile, type Profile, quickProfile, smokeProfile } from './profile.ts';
import { addRatios, formatTable } from './report.ts';
import type { ResultRow } from './result-row.ts';
import { mergeRounds, roundOrder, splitByGroup } from './rounds.ts';
import type { BundleSize } from './size/bundle-size.ts';
import { measureClientSizes } from './size/size-budget.ts';
import { formatSizes } from './size/size-report.ts';
import { TurnScheduler, type TurnTaker } from './turn-scheduler.ts';
import { workloads } from './workloads.ts';

const benchRoot = new URL('../', import.meta.url);
const repositoryRoot = fileURLToPath(new URL('../../', benchRoot));

/** Libraries whose versions the report records. */
const measuredPackages = ['capnweb', '@endo/captp', 'birpc', 'ws', 'cbor-x', 'ses'];

/** Installed version of a devDependency of this package. */
function installedVersion(name: string): string {
  try {
    const manifest = new URL(`node_modules/${name}/package.json`, benchRoot);
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The outcome of one child process. */
type ChildOutcome = { rows: ResultRow[]; mscFrom?: string } | { error: string };

/** One child process to run: an entry, and the baseline build it loads @msc from (for a twin). */
interface Job {
  readonly entry: RegistryEntry;
  readonly baseline?: BaselineBuild;
}

/** What every child process of a run measures. */
interface Selection {
  readonly profile: Profile;
  /** Workload ids to run, or undefined for all. */
  readonly workloads: readonly string[] | undefined;
}

/** Every measuring child alive now: killed if the harness itself is interrupted. */
const liveChildren = new Set<ChildProcess>();

/** A child process measuring one job, taking turns with the other children of its lockstep group. */
interface ChildRun extends TurnTaker {
  /** Settles when the child exited, with what it reported. */
  readonly outcome: Promise<ChildOutcome>;
  /** Kills it (the group's watchdog: it held the turn, or kept loading, for too long). */
  kill(reason: string): void;
}

/**
 * Measures one registry entry in a fresh Node process with --expose-gc (`--runs`, or the profile's
 * repetitions, per cell), taking turns through `scheduler` (`turn-scheduler.ts`). The process has no
 * `@msc/source` condition: @msc loads from `dist/`, the workspace's or the baseline's.
 */
function measureInChild(
  job: Job,
  selection: Selection,
  scheduler: TurnScheduler<ChildRun>,
  index: number,
  progressed: () => void,
): ChildRun {
  const baselineArguments = job.baseline
    ? ['--baseline-root', job.baseline.root, '--baseline-label', job.baseline.shortCommit]
    : [];
  const workloadArguments = selection.workloads ? ['--workloads', selection.workloads.join(',')] : [];
  const heapArguments = ['--application-heap', String(selection.profile.applicationHeapMebibytes)];
  const runArguments = ['--runs', String(selection.profile.runs)];
  let outcome: ChildOutcome = { error: 'the measuring process exited without reporting' };
  const child: ChildProcess = fork(
    fileURLToPath(new URL('src/measure-process.ts', benchRoot)),
    [
      job.entry.key,
      '--profile',
      selection.profile.name,
      ...runArguments,
      ...workloadArguments,
      ...heapArguments,
      ...baselineArguments,
    ],
    {
      cwd: fileURLToPath(benchRoot),
      // No memory reducer: a child waiting for its turn would otherwise run a full GC seconds after
      // its last run (V8 shrinks an idle heap), in another child's turn.
      execArgv: ['--expose-gc', '--no-memory-reducer', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  liveChildren.add(child);
  const run: ChildRun = {
    index,
    go: () => {
      if (child.connected) child.send({ type: 'go' } satisfies TurnGranted);
    },
    outcome: new Promise((resolve) => {
      // 'close', not 'exit': by then every IPC message the child sent (its rows) has been read.
      child.on('close', () => {
        liveChildren.delete(child);
        progressed();
        scheduler.leave(run);
        resolve(outcome);
      });
    }),
    kill(reason) {
      // A child that reported its rows and then lingered keeps them.
      if ('error' in outcome) outcome = { error: reason };
      child.kill('SIGKILL');
    },
  };
  scheduler.join(run);
  child.on('message', (message: MeasureMessage) => {
    if (message.type === 'turn') {
      progressed();
      scheduler.request(run, message.position);
    } else
      outcome =
        message.type === 'rows'
          ? { rows: message.rows, ...(message.mscFrom === undefined ? {} : { mscFrom: message.mscFrom }) }
          : { error: message.error };
  });
  return run;
}

/**
 * Kills the children that hold up a lockstep group: once `timeoutMilliseconds` pass with no turn asked
 * for or given up, every child not waiting for a turn (the one measuring, those still loading) is
 * stuck.
 * Returns the function to call on every scheduler event, and the one that stops the watchdog.
 */
function roundWatchdog(
  scheduler: TurnScheduler<ChildRun>,
  timeoutMilliseconds: number,
): { progressed(): void; stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const progressed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const child of scheduler.busy()) {
        child.kill(`timed out: no progress in ${timeoutMilliseconds / 1000} s`);
      }
    }, timeoutMilliseconds);
  };
  return { progressed, stop: () => clearTimeout(timer) };
}

/** What `measureJobs` measured. */
interface Measured {
  /** Every cell (merged over the rounds). */
  readonly rows: ResultRow[];
  /** For each @msc entry key: the file `@msc/session` loaded from in its process. */
  readonly mscBuilds: Record<string, string>;
}

/**
 * Measures the jobs in `rounds` rounds. A round takes the jobs in the order of `roundOrder` (each
 * pair, an entry or an @msc entry and its baseline twin, side by side) and measures them one
 * lockstep group at a time (`lockstepGroup`: the rows compared with each other, one transport's):
 * the group's children start together and take turns in lockstep, and the next group starts once
 * they have all exited. Run *i* of two rows compared with each other is then one cycle of the
 * group's turns apart, not one cycle of every adapter's: with 22 adapters a W1 cycle took 8 s, in
 * which the machine's slow phases (README, "Slow phases of the machine") come and go. Every child
 * measures `selection.profile.runs` runs per cell (`--runs`, or the profile's).
 */
async function measureJobs(
  groups: readonly (readonly Job[])[],
  selection: Selection,
  rounds: number,
  failures: string[],
): Promise<Measured> {
  const mscBuilds: Record<string, string> = {};
  const inRounds = rounds > 1 || groups.some((group) => group.length > 1);
  const roundRows: ResultRow[][] = [];
  for (let round = 0; round < rounds; round++) {
    if (inRounds) console.log(`round ${round + 1} of ${rounds}`);
    const rows: ResultRow[] = [];
    const roundStarted = performance.now();
    for (const [group, jobs] of splitByGroup(roundOrder(groups, round), (job) => lockstepGroup(job.entry))) {
      console.log(`  group ${group}: ${jobs.length} adapters in lockstep`);
      const outcomes = await measureInLockstep(jobs, selection, roundStarted);
      outcomes.forEach((outcome, index) => {
        const key = jobs[index]!.entry.key;
        if ('error' in outcome)
          failures.push(`${key}${inRounds ? ` (round ${round + 1})` : ''}: ${outcome.error}`);
        else {
          rows.push(...outcome.rows);
          if (outcome.mscFrom !== undefined) mscBuilds[key] = outcome.mscFrom;
        }
      });
    }
    roundRows.push(rows);
  }
  return { rows: inRounds ? mergeRounds(roundRows) : roundRows.flat(), mscBuilds };
}

/**
 * Starts a child per job, lets them take turns in lockstep (`turn-scheduler.ts`) under a watchdog,
 * and resolves with each child's outcome, in the order of `jobs`, once every child has exited.
 */
async function measureInLockstep(
  jobs: readonly Job[],
  selection: Selection,
  roundStarted: number,
): Promise<ChildOutcome[]> {
  const timeoutMilliseconds = selection.profile.name === 'full' ? 300_000 : 60_000;
  const scheduler = new TurnScheduler<ChildRun>(jobs.length);
  const watchdog = roundWatchdog(scheduler, timeoutMilliseconds);
  const runs = jobs.map((job, index) =>
    measureInChild(job, selection, scheduler, index, watchdog.progressed),
  );
  watchdog.progressed();
  // Each child reports as it finishes; the outcomes keep the jobs' order.
  const outcomes = await Promise.all(
    runs.map(async (run, index) => {
      const outcome = await run.outcome;
      const key = jobs[index]!.entry.key;
      const seconds = ((performance.now() - roundStarted) / 1000).toFixed(1);
      if ('error' in outcome) console.log(`  ${key}: FAILED (${outcome.error})`);
      else console.log(`  ${key}: ${outcome.rows.length} cells, done ${seconds} s into the round`);
      return outcome;
    }),
  );
  watchdog.stop();
  return outcomes;
}

/** The command line's options; throws (Node's message names the option) on an unknown or malformed one. */
function parseOptions() {
  return parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      workloads: { type: 'string' },
      baseline: { type: 'string' },
      rounds: { type: 'string' },
      runs: { type: 'string' },
      'application-heap': { type: 'string' },
      out: { type: 'string', default: fileURLToPath(new URL('results/latest.json', benchRoot)) },
    },
  });
}

/** What `--help` prints, and what a wrong option is answered with. */
const usage = `Usage: pnpm bench [-- options]   (from the repository root; in tools/bench: node --import tsx src/main.ts)

  --quick              the quick profile: 3 runs of shorter loops, about a minute in all
  --smoke              one tiny iteration of everything (checks wiring, measures nothing)
  --only a,b           keep the registry entries whose key contains one of these (--only capnweb,floor)
  --workloads W1,W2    keep these workloads (${workloads.map((workload) => workload.id).join(', ')})
  --baseline <ref>     also measure @msc as built at <ref> (a git ref), row by row, with after / before ratios
  --rounds <n>         measure every adapter once per round, n rounds in a rotated order, runs merged
                       (default 1; with --baseline: the profile's run count, whatever --runs says,
                       each @msc row paired with its baseline in every round)
  --runs <n>           measured runs per cell in each round (default: the profile's, 5 full, 3 quick);
                       with --rounds, fewer runs in more rounds spread a cell over more processes
  --application-heap <MiB>
                       state each measuring process holds before it loads its library (default 64;
                       0 for a bare process; see README, "How a run works")
  --out <file>         where the JSON result goes (default: results/latest.json)
  --help               this text`;

/** The count `value` gives for `option` (`fallback` when absent); throws unless a whole number from 1 to 100. */
function parseCount(option: string, value: string | undefined, fallback: number): number {
  const count = Number(value ?? fallback);
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    throw new Error(`expected ${option} to be a whole number from 1 to 100, got ${value}`);
  }
  return count;
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  const { values } = options;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const namedProfile = values.smoke ? smokeProfile : values.quick ? quickProfile : fullProfile;
  const applicationHeap = parseApplicationHeap(
    values['application-heap'],
    namedProfile.applicationHeapMebibytes,
  );
  const runs = parseCount('--runs', values.runs, namedProfile.runs);
  const profile: Profile = { ...namedProfile, runs, applicationHeapMebibytes: applicationHeap };
  const filters = values.only?.split(',').filter((filter) => filter.length > 0) ?? [];
  const entries = registry.filter(
    (entry) => filters.length === 0 || filters.some((filter) => entry.key.includes(filter)),
  );
  if (values.baseline !== undefined && !entries.some(isMscEntry)) {
    throw new Error(`expected --only to keep at least one @msc entry for --baseline, got ${values.only}`);
  }
  const knownWorkloads = workloads.map((workload) => workload.id);
  const selectedWorkloads = values.workloads?.split(',').filter((id) => id.length > 0);
  const unknownWorkload = selectedWorkloads?.find((id) => !knownWorkloads.includes(id));
  if (unknownWorkload !== undefined || selectedWorkloads?.length === 0) {
    throw new Error(
      `expected --workloads to list workload ids among ${knownWorkloads.join(', ')}, got ${values.workloads}`,
    );
  }
  const rounds = parseCount('--rounds', values.rounds, values.baseline === undefined ? 1 : namedProfile.runs);
  const started = performance.now();

  // Both builds before any measurement (the baseline first: a bad ref fails before any build). @msc
  // rows run from rollup output, never from sources.
  let baseline: BaselineBuild | undefined;
  let removeWorktree: () => Promise<void> = async () => {};
  const onInterrupt = (signal: NodeJS.Signals) => {
    for (const child of liveChildren) child.kill('SIGKILL');
    void removeWorktree().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    if (values.baseline !== undefined) {
      baseline = await prepareBaseline(
        repositoryRoot,
        values.baseline,
        (line) => console.log(`@msc/bench: ${line}`),
        (remove) => {
          removeWorktree = remove;
        },
      );
    }
    if (entries.some(isMscEntry)) {
      console.log('@msc/bench: building the workspace packages (pnpm run build)');
      await buildPackages(repositoryRoot);
    }
    const groups: Job[][] = entries.map((entry) =>
      baseline !== undefined && isMscEntry(entry)
        ? [{ entry }, { entry: baselineEntry(entry, baseline.shortCommit), baseline }]
        : [{ entry }],
    );
    console.log(
      `@msc/bench: ${groups.flat().length} adapters, ${profile.name} profile, ${profile.runs} runs per cell` +
        (rounds > 1 ? ` per round` : '') +
        (selectedWorkloads ? `, workloads ${selectedWorkloads.join(', ')}` : '') +
        (baseline
          ? `, in ${rounds} rounds against the baseline ${baseline.ref} (${baseline.shortCommit})`
          : rounds > 1
            ? `, in ${rounds} rounds`
            : ''),
    );
    const failures: string[] = [];
    const selection: Selection = { profile, workloads: selectedWorkloads };
    const measured = await measureJobs(groups, selection, rounds, failures);
    const sizes = await measureClientSizes('sources');
    return writeReport(measured, sizes, failures, profile, started, values.out, baseline);
  } finally {
    await removeWorktree();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

/** Prints the table, writes the JSON report to `out`, and returns the exit code. */
function writeReport(
  { rows, mscBuilds }: Measured,
  sizes: BundleSize[],
  failures: string[],
  profile: Profile,
  started: number,
  out: string,
  baseline: BaselineBuild | undefined,
): number {
  addRatios(rows);
  for (const row of rows)
    if (row.note?.startsWith('error:'))
      failures.push(`${row.library}/${row.transport} ${row.workload}: ${row.note}`);

  console.log(formatTable(rows));
  console.log(formatSizes(sizes));
  const report = {
    generatedAt: new Date().toISOString(),
    profile: profile.name,
    applicationHeapMebibytes: profile.applicationHeapMebibytes,
    durationSeconds: Math.round((performance.now() - started) / 100) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    libraries: Object.fromEntries(measuredPackages.map((name) => [name, installedVersion(name)])),
    baseline: baseline === undefined ? null : { ref: baseline.ref, commit: baseline.commit },
    mscBuilds,
    failures,
    rows,
    sizes,
  };
  // Write next to the target and rename, so a reader never sees half a file.
  const temporary = out.replace(/\.json$/, '.tmp.json');
  writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(temporary, out);
  console.log(`\nwrote ${out} in ${report.durationSeconds} s`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
