import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisServerPath } from '../../../../config/redis.ts';

/**
 * A redis-server of this machine's own for tests, demos and benches: Debian's, on 127.0.0.1, on a
 * free port (never 6379), without persistence (`--save '' --appendonly no`), in a temporary
 * directory that `stop` removes. `config/redis.ts` installs the binary.
 */
export interface LocalRedis {
  readonly port: number;
  /** `redis://127.0.0.1:port`. */
  readonly url: string;
  /** Whether the server process runs now. */
  readonly alive: () => boolean;
  /** Everything the server printed so far. */
  readonly output: () => string;
  /** Sends `signal` to the server (SIGSTOP/SIGCONT to freeze it). */
  readonly signal: (signal: NodeJS.Signals) => void;
  /** SIGKILLs the server and resolves once it exited (a no-op when it is not running). */
  readonly kill: () => Promise<void>;
  /** Starts it again on the same port, empty (after `kill`), and waits until it answers. */
  readonly restart: () => Promise<void>;
  /** Kills it and removes its directory. */
  readonly stop: () => Promise<void>;
}

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

/** One `PING` on 127.0.0.1:port: whether `+PONG` came within 500 ms. */
function ping(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 500);
    let answer = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

/**
 * Starts a redis-server and waits until it answers (at most `timeoutMs`, default 10 s).
 *
 * @throws Error when it does not start (the binary is missing, or the port was taken in between)
 */
export async function startLocalRedis(options: { readonly timeoutMs?: number } = {}): Promise<LocalRedis> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'msc-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  let exitReason: string | undefined;
  const start = async () => {
    exitReason = undefined;
    const started = spawn(
      redisServerPath,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.once('exit', (code, signal) => {
      exitReason = `it exited (${signal ?? `code ${code}`}): ${output.slice(-400)}`;
    });
    started.once('error', (error) => {
      exitReason = `it could not be spawned (${error.message}); config/redis.ts installs it`;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exitReason !== undefined)
        throw new Error(`expected redis-server on 127.0.0.1:${port} to start, but ${exitReason}`);
      if (await ping(port)) return;
      if (Date.now() > deadline)
        throw new Error(`expected redis-server on 127.0.0.1:${port} to answer PING within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async () => {
    const current = child;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGCONT');
    current.kill('SIGKILL');
    await exited;
  };
  const stop = async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
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
    stop,
  };
}
