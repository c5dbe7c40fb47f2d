import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** A lobby server running in a child process (`test/fixtures/server-process.ts`). */
export interface ServerProcess {
  /** The TCP address sessions dial. */
  readonly tcp: string;
  /** The page URL (`http://127.0.0.1:port/`). */
  readonly page: string;
  /** The WebSocket address on the page's port. */
  readonly webSocket: string;
  /** The page server's `host:port`. */
  readonly pageHost: string;
  readonly pagePort: number;
  /** Everything the process printed so far (stdout and stderr). */
  readonly output: () => string;
  /** Whether the process is still running. */
  readonly alive: () => boolean;
  /** The process's resident set size now, in bytes (Linux `/proc`). */
  readonly residentBytes: () => number;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
}

const running: ChildProcessByStdio<null, Readable, Readable>[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

/**
 * Starts a lobby server process (killed after the test) and waits until it listens (at most 20 s).
 *
 * @param options - server options (`lobbyLimits`, session `limits`, `maxBufferedBytesTotal`)
 */
export async function startServerProcess(options: object = {}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@msc/source',
      fileURLToPath(new URL('./fixtures/server-process.ts', import.meta.url)),
      JSON.stringify(options),
    ],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  let output = '';
  let exited = false;
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.once('exit', () => (exited = true));
  const ready = await new Promise<{ tcp: string; page: string; webSocket: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 20 s:\n${output}`)), 20_000);
    const check = () => {
      const line = output.split('\n').find((candidate) => candidate.startsWith('{"ready":true'));
      if (line !== undefined) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(JSON.parse(line));
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it listened:\n${output}`));
    });
  });
  const url = new URL(ready.page);
  return {
    ...ready,
    pageHost: url.hostname,
    pagePort: Number(url.port),
    output: () => output,
    alive: () => !exited && child.exitCode === null && child.signalCode === null,
    residentBytes: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kilobytes = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      return Number(kilobytes ?? 0) * 1024;
    },
    child,
  };
}
