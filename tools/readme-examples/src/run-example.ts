// Runs one compiled example as a user would: plain `node` on the entry's JavaScript, in the example's folder,
// with none of the workspace's conditions or loaders (NODE_OPTIONS is dropped), so `@msc/*` resolves to the
// built packages. An example must end by itself: one still running after the time limit is killed and fails,
// since an example that leaves a server or a timer behind teaches users to leak.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ExampleProject } from './example-project.ts';
import type { Example } from './examples.ts';

/** How one run ended. */
export interface RunResult {
  /** True when the process exited with status 0 within the limit. */
  readonly ok: boolean;
  /** A one-line account: the exit status, the signal, or the time limit. */
  readonly summary: string;
  /** Everything it printed (stdout and stderr interleaved), with example paths annotated with markdown lines. */
  readonly output: string;
  /** How long it ran, in milliseconds. */
  readonly durationMs: number;
}

/** The most output kept from one run; an example that prints more is cut (and says so). */
const maxOutputChars = 64 * 1024;

/** Adds `(README.md:N)` after every `<example folder>/<file>.ts:LINE` in a stack trace. */
function annotate(output: string, example: Example): string {
  return output.replace(/([\w./-]+\.ts):(\d+)(:\d+)?/g, (whole, path: string, line: string) => {
    const file = example.files.find((candidate) => path.endsWith(`${example.id}/${candidate.name}`));
    if (file === undefined) return whole;
    const markdownLine = file.markdownLines[Number(line) - 1];
    return markdownLine === undefined ? whole : `${whole} (${example.markdownPath}:${markdownLine})`;
  });
}

/**
 * Runs the example's first file, compiled, with plain node.
 *
 * @param project - the project the example was written and compiled in
 * @param example - the example
 * @param timeoutMs - how long it may run before it is killed (and fails)
 */
export function runExample(project: ExampleProject, example: Example, timeoutMs: number): Promise<RunResult> {
  const folder = project.folderOf(example);
  const entry = join(folder, example.files[0]!.name.replace(/\.ts$/, '.js'));
  const environment = { ...process.env };
  delete environment['NODE_OPTIONS'];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', entry], {
      cwd: folder,
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      if (output.length < maxOutputChars) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (summary: string, ok: boolean): void => {
      clearTimeout(timer);
      if (output.length >= maxOutputChars)
        output = `${output.slice(0, maxOutputChars)}\n[output cut at ${maxOutputChars} characters]`;
      resolve({ ok, summary, output: annotate(output, example), durationMs: performance.now() - started });
    };
    child.on('error', (error) => finish(`could not start node: ${error.message}`, false));
    child.on('close', (code, signal) => {
      if (timedOut)
        finish(`still running after ${timeoutMs} ms (an example must close what it opens), killed`, false);
      else if (signal !== null) finish(`ended by ${signal}`, false);
      else finish(`exited with status ${code}`, code === 0);
    });
  });
}
