import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { redisServerPath } from '../../../config/redis.ts';

/**
 * A redis-server of the test's own (Debian's, ensured by the global setup): on 127.0.0.1, on a free
 * port (never 6379), without persistence, in a temporary directory of its own. Killed (SIGKILL) and
 * its directory removed after the test.
 */
export interface RedisProcess {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:port`. */
  readonly url: string;
  /** Whether the server process runs now. */
  readonly alive: () => boolean;
  /** Everything the server printed so far. */
  readonly output: () => string;
  /** Sends `signal` to the server (SIGKILL to kill it the hard way, SIGSTOP/SIGCONT to freeze it). */
  readonly signal: (signal: NodeJS.Signals) => void;
  /** SIGKILLs the server and resolves once it exited (a no-op when it is not running). */
  readonly kill: () => Promise<void>;
  /** Starts the server again on the same port, empty (after `kill`), and waits until it answers. */
  readonly restart: () => Promise<void>;
}

const running: { kill: () => Promise<void>; dir: string }[] = [];
const shared: { kill: () => Promise<void>; dir: string }[] = [];
async function reap(entries: { kill: () => Promise<void>; dir: string }[]): Promise<void> {
  for (const entry of entries.splice(0)) {
    await entry.kill();
    rmSync(entry.dir, { recursive: true, force: true });
  }
}
afterEach(() => reap(running));
afterAll(() => reap(shared));

/** A free TCP port on 127.0.0.1 other than 6379 (bound once and released, so a race is possible). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    if (port !== 0 && port !== 6379) return port;
  }
}

/** Resolves once `PING` on 127.0.0.1:port answers `+PONG`; rejects after `timeoutMs`. */
async function waitForPong(port: number, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = exited();
    if (why !== undefined) throw new Error(`expected redis-server on port ${port} to start, but ${why}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 500);
      let answer = '';
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        answer += chunk.toString();
        if (answer.includes('\r\n')) {
          clearTimeout(timer);
          socket.destroy();
          resolve(answer.startsWith('+PONG'));
        }
      });
      socket.on('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`expected redis-server on port ${port} to answer PING within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts a redis-server for this test (with `shared`, for the file's tests: killed after all of them)
 * and waits until it answers (at most 10 s).
 *
 * @throws Error when it does not start (the port was taken in between, or the binary is missing)
 */
export async function startRedis(options: { readonly shared?: boolean } = {}): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'msc-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  let exitReason: string | undefined;
  const start = async () => {
    exitReason = undefined;
    const started = spawn(
      redisServerPath,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--protected-mode',
        'yes',
        '--loglevel',
        'warning',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.once('exit', (code, signal) => {
      exitReason = `it exited (${signal ?? `code ${code}`}): ${output.slice(-400)}`;
    });
    started.once('error', (error) => {
      exitReason = `it could not be spawned: ${error.message}`;
    });
    await waitForPong(port, 10_000, () => exitReason);
  };
  const kill = async () => {
    const current = child;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  (options.shared ? shared : running).push({ kill, dir });
  await start();
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    alive: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    output: () => output,
    signal: (signal) => child?.kill(signal),
    kill,
    restart: async () => {
      await kill();
      await start();
    },
  };
}
