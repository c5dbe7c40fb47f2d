import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';

/** A lobby cluster node in a child process (`bin/lobby-cluster-node.ts`), so SIGKILL and SIGSTOP are real. */
export interface ClusterNodeProcess {
  readonly name: string;
  /** The TCP address players dial. */
  readonly tcp: string;
  /** The node identity's fingerprint. */
  readonly fingerprint: string;
  /** Everything the process printed so far. */
  readonly output: () => string;
  /** The `event:` lines printed so far, parsed. */
  readonly events: () => Record<string, unknown>[];
  readonly alive: () => boolean;
  /** Sends `signal` (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). */
  readonly signal: (signal: NodeJS.Signals) => void;
  /** SIGKILLs it and resolves once it exited. */
  readonly kill: () => Promise<void>;
  /** Resolves once the output contains `text` (rejects after `timeoutMs`). */
  readonly waitFor: (text: string, timeoutMs?: number) => Promise<void>;
}

/** What a node is started with. */
export interface ClusterNodeSettings {
  readonly name: string;
  readonly redis: string;
  readonly leaseMs?: number;
  readonly ticketTtlMs?: number;
  readonly keyPrefix?: string;
  /** Kept for the file's tests (killed after all of them), not only this one. */
  readonly shared?: boolean;
}

const running: ChildProcessByStdio<null, Readable, Readable>[] = [];
const shared: ChildProcessByStdio<null, Readable, Readable>[] = [];
afterEach(() => reap(running));
afterAll(() => reap(shared));

async function reap(children: ChildProcessByStdio<null, Readable, Readable>[]): Promise<void> {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

/** Starts a node (killed after the test) and waits until it listens (at most 45 s: a loaded machine starts tsx slowly). */
export async function startClusterNode(settings: ClusterNodeSettings): Promise<ClusterNodeProcess> {
  const args = [
    '--import',
    'tsx',
    '--conditions=@msc/source',
    fileURLToPath(new URL('../bin/lobby-cluster-node.ts', import.meta.url)),
    '--name',
    settings.name,
    '--redis',
    settings.redis,
    '--lease-ms',
    String(settings.leaseMs ?? 1_500),
    ...(settings.ticketTtlMs !== undefined ? ['--ticket-ttl-ms', String(settings.ticketTtlMs)] : []),
    ...(settings.keyPrefix !== undefined ? ['--key-prefix', settings.keyPrefix] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  (settings.shared ? shared : running).push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const waitFor = (text: string, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        if (output.includes(text)) resolve();
        else if (Date.now() - started > timeoutMs)
          reject(
            new Error(
              `expected node ${settings.name} to print ${JSON.stringify(text)} within ${timeoutMs} ms:\n${output}`,
            ),
          );
        else setTimeout(check, 20);
      };
      check();
    });
  await waitFor('{"ready":true', 45_000);
  const line = output.split('\n').find((candidate) => candidate.startsWith('{"ready":true')) as string;
  const ready = JSON.parse(line) as { tcp: string; fingerprint: string };
  return {
    name: settings.name,
    tcp: ready.tcp,
    fingerprint: ready.fingerprint,
    output: () => output,
    events: () =>
      output
        .split('\n')
        .filter((candidate) => candidate.startsWith('event: '))
        .map((candidate) => JSON.parse(candidate.slice('event: '.length)) as Record<string, unknown>),
    alive: () => child.exitCode === null && child.signalCode === null,
    signal: (signal) => child.kill(signal),
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
    waitFor,
  };
}
