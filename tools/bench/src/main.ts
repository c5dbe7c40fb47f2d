/**
 * The benchmark harness: measures every registry entry in its own child process, one after the
 * other, then prints the table and writes `results/latest.json`.
 *
 *   node --import tsx src/main.ts [--quick | --smoke] [--only key[,key…]] [--out file]
 *
 * `--quick` uses the quick profile (3 runs of shorter loops, about a minute in all); `--smoke` runs
 * one tiny iteration of everything (for the tests: checks wiring, measures nothing); `--only` keeps
 * the registry entries whose key contains one of the given strings (`--only capnweb,floor`). Exits 1
 * when an adapter failed or a cell reported an error, after printing and writing what it has.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type RegistryEntry, registry } from './adapters/registry.ts';
import type { MeasureMessage } from './measure-process.ts';
import { fullProfile, type Profile, quickProfile, smokeProfile } from './profile.ts';
import { addRatios, formatTable } from './report.ts';
import type { ResultRow } from './result-row.ts';

const benchRoot = new URL('../', import.meta.url);

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
type ChildOutcome = { rows: ResultRow[] } | { error: string };

/**
 * Measures one registry entry in a fresh Node process with --expose-gc, and kills it if it has not
 * finished within `timeoutMilliseconds`.
 */
function measureInChild(
  entry: RegistryEntry,
  profile: Profile,
  timeoutMilliseconds: number,
): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    let outcome: ChildOutcome = { error: 'the measuring process exited without reporting' };
    const child: ChildProcess = fork(
      fileURLToPath(new URL('src/measure-process.ts', benchRoot)),
      [entry.key, profile.name],
      {
        cwd: fileURLToPath(benchRoot),
        execArgv: ['--expose-gc', '--conditions=@msc/source', '--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const timer = setTimeout(() => {
      outcome = { error: `timed out after ${timeoutMilliseconds / 1000} s` };
      child.kill('SIGKILL');
    }, timeoutMilliseconds);
    child.on('message', (message: MeasureMessage) => {
      outcome = message.type === 'rows' ? { rows: message.rows } : { error: message.error };
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: fileURLToPath(new URL('results/latest.json', benchRoot)) },
    },
  });
  const profile = values.smoke ? smokeProfile : values.quick ? quickProfile : fullProfile;
  const filters = values.only?.split(',').filter((filter) => filter.length > 0) ?? [];
  const entries = registry.filter(
    (entry) => filters.length === 0 || filters.some((filter) => entry.key.includes(filter)),
  );
  const timeoutMilliseconds = profile.name === 'full' ? 300_000 : 60_000;
  const started = performance.now();
  console.log(
    `@msc/bench: ${entries.length} adapters, ${profile.name} profile, ${profile.runs} runs per cell`,
  );

  const rows: ResultRow[] = [];
  const failures: string[] = [];
  for (const entry of entries) {
    const entryStarted = performance.now();
    const outcome = await measureInChild(entry, profile, timeoutMilliseconds);
    const seconds = ((performance.now() - entryStarted) / 1000).toFixed(1);
    if ('error' in outcome) {
      failures.push(`${entry.key}: ${outcome.error}`);
      console.log(`  ${entry.key}: FAILED (${outcome.error})`);
    } else {
      rows.push(...outcome.rows);
      console.log(`  ${entry.key}: ${outcome.rows.length} cells in ${seconds} s`);
    }
  }
  addRatios(rows);
  for (const row of rows)
    if (row.note?.startsWith('error:'))
      failures.push(`${row.library}/${row.transport} ${row.workload}: ${row.note}`);

  console.log(formatTable(rows));
  const report = {
    generatedAt: new Date().toISOString(),
    profile: profile.name,
    durationSeconds: Math.round((performance.now() - started) / 100) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    libraries: Object.fromEntries(measuredPackages.map((name) => [name, installedVersion(name)])),
    failures,
    rows,
  };
  // Write next to the target and rename, so a reader never sees half a file.
  const temporary = values.out.replace(/\.json$/, '.tmp.json');
  writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(temporary, values.out);
  console.log(`\nwrote ${values.out} in ${report.durationSeconds} s`);
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
