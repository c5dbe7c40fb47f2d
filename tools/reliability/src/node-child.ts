import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The open-file limits of processes this one starts (from `ulimit -Sn` / `ulimit -Hn` in bash). */
export interface OpenFileLimits {
  /** The soft limit children inherit. */
  readonly soft: number;
  /** The hard limit: the most a child may raise its soft limit to without privileges. */
  readonly hard: number;
}

/** Reads the open-file limits once (bash's `ulimit`; `unlimited` counts as 1,048,576). */
export function openFileLimits(): OpenFileLimits {
  const read = (flag: string) => {
    const text = execFileSync('bash', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim();
    return text === 'unlimited' ? 1_048_576 : Number(text);
  };
  return { soft: read('-Sn'), hard: read('-Hn') };
}

/** Options of {@link spawnNodeChild}. */
export interface NodeChildOptions {
  /**
   * The soft open-file limit to set in the child (`ulimit -n` in a bash wrapper, before `exec node`).
   * Must not exceed the hard limit ({@link openFileLimits}). Default: inherit.
   */
  readonly openFiles?: number;
  /** What the child's stderr lines are passed to (they are also kept for error messages). Default: nothing. */
  readonly onStderr?: (line: string) => void;
  /**
   * Sees every stdout line first; returning `true` consumes it (`line()` will not see it). For a
   * stream of lines such as samples, which would otherwise pile up. Default: nothing.
   */
  readonly onStdout?: (line: string) => boolean;
}

/** A Node child process speaking a line protocol: commands on stdin, `<keyword> <payload>` lines on stdout. */
export interface NodeChild {
  readonly process: ChildProcess;
  /**
   * The payload of the next stdout line that starts with `keyword` and a space (lines that came before
   * this call count too; each line is taken once).
   *
   * @throws Error when `timeoutMs` passes first or the child exits first (with its last stderr lines)
   */
  line(keyword: string, timeoutMs: number): Promise<string>;
  /** Writes one command line to the child's stdin (ignored after it exited). */
  send(command: string): void;
  /** Resolves with the exit code (or the signal's name) once the child exited. */
  readonly exited: Promise<number | string>;
  /** Kills the child (SIGKILL) unless it already exited. */
  kill(): void;
}

const reliabilityRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Starts `script` (a TypeScript file of this package) in a Node child process with `--expose-gc`, the
 * `@msc/source` condition and tsx, in a bash wrapper that raises the soft open-file limit first when
 * `openFiles` is given (so a load child can hold more sockets than its parent's soft limit allows).
 */
export function spawnNodeChild(
  script: URL,
  args: readonly string[],
  options: NodeChildOptions = {},
): NodeChild {
  const node = [
    process.execPath,
    '--expose-gc',
    '--conditions=@msc/source',
    '--import',
    'tsx',
    fileURLToPath(script),
    ...args,
  ];
  const quoted = node.map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  const limit = options.openFiles === undefined ? '' : `ulimit -n ${options.openFiles} && `;
  const child = spawn('bash', ['-c', `${limit}exec ${quoted}`], {
    cwd: reliabilityRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderrTail: string[] = [];
  const waiters = new Set<() => void>();
  let exitedWith: number | string | undefined;
  const split = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let end = pending.indexOf('\n');
      while (end >= 0) {
        onLine(pending.slice(0, end));
        pending = pending.slice(end + 1);
        end = pending.indexOf('\n');
      }
    });
  };
  split(child.stdout, (line) => {
    if (options.onStdout?.(line) === true) return;
    lines.push(line);
    for (const wake of waiters) wake();
  });
  split(child.stderr, (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    options.onStderr?.(line);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      exitedWith = code ?? signal ?? 'unknown';
      resolve(exitedWith);
      for (const wake of waiters) wake();
    });
  });
  // A child that died must not crash the parent through a write to its closed stdin.
  child.stdin.on('error', () => {});

  return {
    process: child,
    exited,
    line(keyword, timeoutMs) {
      return new Promise<string>((resolve, reject) => {
        const take = () => {
          const index = lines.findIndex((line) => line.startsWith(`${keyword} `) || line === keyword);
          if (index >= 0) {
            const [line] = lines.splice(index, 1);
            finish();
            resolve((line ?? '').slice(keyword.length + 1));
          } else if (exitedWith !== undefined) {
            finish();
            reject(
              new Error(
                `expected a '${keyword}' line from ${script.pathname.split('/').pop()}, but it exited (${exitedWith}): ${stderrTail.join('\n')}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`expected a '${keyword}' line within ${timeoutMs} ms, got none`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(take);
        };
        waiters.add(take);
        take();
      });
    },
    send(command) {
      if (exitedWith === undefined && child.stdin.writable) child.stdin.write(`${command}\n`);
    },
    kill() {
      if (exitedWith === undefined) child.kill('SIGKILL');
    },
  };
}
