import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { proxy } from '@msc/eventual';
import { callContext } from '@msc/eventual/context';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Sip, type SipOptions, spawnSip } from '../src/index.ts';
import type { IParent, ITestSip, TestInit } from './fixtures/contracts.ts';

/** The fixtures a test file can start, bundled to JavaScript (Node 20 cannot load TypeScript in a worker). */
export interface Fixtures {
  /** The general test SIP (test/fixtures/test.sip.ts). */
  readonly testSip: string;
  /** A SIP whose main function throws. */
  readonly failingMain: string;
  /** A module that never calls runSip(). */
  readonly notASip: string;
  /** A plain program (not a SIP) that starts a process SIP with a grandchild, prints their pids and waits. */
  readonly orphaningParent: string;
  /** A scratch directory for heartbeat files, removed after the file. */
  readonly directory: string;
}

/**
 * Bundles the fixtures once per test file (workspace sources through the `@msc/source` condition) and removes
 * them afterwards. Also terminates, after every test, each SIP the test started through {@link start}.
 */
export function useFixtures(): () => Fixtures {
  let fixtures: Fixtures | undefined;
  beforeAll(async () => {
    const directory = await mkdtemp(join(tmpdir(), 'msc-sip-'));
    const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
    await build({
      entryPoints: {
        'test-sip': fixture('test.sip.ts'),
        'failing-main': fixture('failing-main.sip.ts'),
        'not-a-sip': fixture('not-a-sip.ts'),
        'orphaning-parent': fixture('orphaning-parent.ts'),
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: ['@msc/source'],
      outdir: directory,
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
    });
    const url = (name: string) => pathToFileURL(join(directory, `${name}.mjs`)).href;
    fixtures = {
      testSip: url('test-sip'),
      failingMain: url('failing-main'),
      notASip: url('not-a-sip'),
      orphaningParent: join(directory, 'orphaning-parent.mjs'),
      directory,
    };
  });
  afterEach(async () => {
    const sips = [...started];
    started.clear();
    await Promise.all(sips.map((sip) => sip.terminate('test over')));
  });
  afterAll(async () => {
    if (fixtures !== undefined) await rm(fixtures.directory, { recursive: true, force: true });
  });
  return () => {
    if (fixtures === undefined) throw new Error('expected the fixtures to be bundled in beforeAll');
    return fixtures;
  };
}

const started = new Set<Sip<unknown>>();

/** What the tests' parents offer: a greeting and a log they can inspect. */
export class Parent implements IParent {
  readonly lines: string[] = [];
  async log(line: string) {
    this.lines.push(line);
  }
  async greeting() {
    return 'hello from the parent';
  }
  async remaining() {
    return callContext().remainingMs();
  }
  work(ms: number): Promise<string> {
    const { signal } = callContext();
    this.lines.push('work');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('done'), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.lines.push(`aborted: ${(signal.reason as Error).name}`);
        resolve('stopped');
      });
    });
  }
}

/** Starts `module` as a SIP (terminated after the test) with a {@link Parent} as its parent root. */
export function start<I = ITestSip>(
  module: string,
  options: SipOptions<TestInit> = {},
): { sip: Sip<I>; parent: Parent } {
  const parent = new Parent();
  const root = proxy<IParent>(parent);
  const sip = spawnSip<I, TestInit>(module, { init: { label: 'test' }, root, ...options });
  root[Symbol.dispose](); // the session took its own reference
  started.add(sip as Sip<unknown>);
  return { sip, parent };
}

/** The counter a heartbeat file holds, or -1 before the first beat. */
export function beat(file: string): number {
  if (!existsSync(file)) return -1;
  const text = readFileSync(file, 'utf8');
  return text === '' ? -1 : Number(text);
}

/** Waits until `condition` holds, polling every 10 ms, at most `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** The tsx loader as a URL, for running a TypeScript SIP module as a child process. */
export function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}
