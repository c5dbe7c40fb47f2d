import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/**
 * A lobby cluster node in a child process of this machine (`bin/lobby-cluster-node.ts`), for tests,
 * the cluster demo and the bench: a real process, so SIGKILL and SIGSTOP are real.
 */
export interface LocalNodeProcess {
  readonly name: string;
  /** The TCP address players dial. */
  readonly tcp: string;
  /** The node identity's fingerprint. */
  readonly fingerprint: string;
  /** With `web`: the page's address (`http://127.0.0.1:port/`) and its WebSocket endpoint. */
  readonly web?: { readonly url: string; readonly webSocket: string } | undefined;
  /** Everything the process printed so far. */
  readonly output: () => string;
  /** The `event:` lines printed so far, parsed. */
  readonly events: () => Record<string, unknown>[];
  /** Calls `listener` with every line the process prints from now on; returns how to stop. */
  readonly onLine: (listener: (line: string) => void) => () => void;
  readonly alive: () => boolean;
  /** Sends `signal` (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). */
  readonly signal: (signal: NodeJS.Signals) => void;
  /** SIGKILLs it (after SIGCONT, should it be stopped) and resolves once it exited. */
  readonly kill: () => Promise<void>;
  /** Resolves once the output contains `text` (rejects after `timeoutMs`, default 10 s). */
  readonly waitFor: (text: string, timeoutMs?: number) => Promise<void>;
}

/** What a node is started with. */
export interface LocalNodeSettings {
  readonly name: string;
  readonly redis: string;
  /** Default 1,500 ms (short, for tests and demos). */
  readonly leaseMs?: number;
  readonly ticketTtlMs?: number;
  readonly keyPrefix?: string;
  /** Also serve the browser page and its WebSocket endpoint on a free loopback port. Default false. */
  readonly web?: boolean;
  /** How long to wait until it listens, ms. Default 45,000 (a loaded machine starts tsx slowly). */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts a node and waits until it listens. The caller kills it (`kill`).
 *
 * @throws Error when it does not print its ready line in time (it is killed then)
 */
export async function startLocalNode(settings: LocalNodeSettings): Promise<LocalNodeProcess> {
  const args = [
    '--import',
    'tsx',
    '--conditions=@msc/source',
    fileURLToPath(new URL('../../bin/lobby-cluster-node.ts', import.meta.url)),
    '--name',
    settings.name,
    '--redis',
    settings.redis,
    '--lease-ms',
    String(settings.leaseMs ?? 1_500),
    ...(settings.ticketTtlMs !== undefined ? ['--ticket-ttl-ms', String(settings.ticketTtlMs)] : []),
    ...(settings.keyPrefix !== undefined ? ['--key-prefix', settings.keyPrefix] : []),
    ...(settings.web === true ? ['--web', '127.0.0.1:0'] : []),
  ];
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, args, {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let partial = '';
  const listeners = new Set<(line: string) => void>();
  const take = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const listener of listeners) listener(line);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  };
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
  try {
    await waitFor('{"ready":true', settings.readyTimeoutMs ?? 45_000);
  } catch (error) {
    await kill();
    throw error;
  }
  const line = output.split('\n').find((candidate) => candidate.startsWith('{"ready":true')) as string;
  const ready = JSON.parse(line) as { tcp: string; fingerprint: string; web?: string; webSocket?: string };
  return {
    name: settings.name,
    tcp: ready.tcp,
    fingerprint: ready.fingerprint,
    web:
      ready.web !== undefined && ready.webSocket !== undefined
        ? { url: ready.web, webSocket: ready.webSocket }
        : undefined,
    output: () => output,
    events: () =>
      output
        .split('\n')
        .filter((candidate) => candidate.startsWith('event: '))
        .map((candidate) => JSON.parse(candidate.slice('event: '.length)) as Record<string, unknown>),
    onLine: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    signal: (signal) => child.kill(signal),
    kill,
    waitFor,
  };
}
