/**
 * Runs one command of the consumer test (pnpm, npm, tsc, node) with a time limit, its output collected and
 * shown only when it fails.
 */
import { spawn } from 'node:child_process';

/** What a command printed, and how long it took. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly milliseconds: number;
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** The folder it runs in. */
  readonly cwd: string;
  /** Killed (SIGKILL) after this long, in milliseconds. */
  readonly timeoutMs: number;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Characters of each stream kept for the error message of a failed command. */
const keptOutput = 12_000;

/**
 * Runs `command args` and resolves with its output once it exits 0.
 *
 * @throws Error naming the command, its folder, how it ended (exit code, signal or the time limit) and the end of
 *   its output, when it does not exit 0 within `timeoutMs`
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandOutput> {
  const started = performance.now();
  const shown = `${command} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    // pnpm sets NODE_PATH for the scripts it runs; a user's shell has none, and with it CommonJS resolution would
    // find the workspace's packages from anywhere.
    const { NODE_PATH: _workspacePath, ...environment } = process.env;
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...environment, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString('utf8')).slice(-keptOutput);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-keptOutput);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`expected to start \`${shown}\` in ${options.cwd}, but: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const milliseconds = performance.now() - started;
      if (code === 0 && !timedOut) {
        resolve({ stdout, stderr, milliseconds });
        return;
      }
      const ending = timedOut
        ? `was killed after ${options.timeoutMs} ms`
        : signal !== null
          ? `ended with ${signal}`
          : `exited with ${code}`;
      reject(
        new Error(
          `expected \`${shown}\` in ${options.cwd} to exit 0, but it ${ending}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
        ),
      );
    });
  });
}
