// Runs one of this folder's TypeScript entry points with plain `node`, so that the `bin` entries
// (`msc-lobby-server`, `msc-lobby-client`) and the package scripts need no global tool: node loads
// tsx (this app's dependency, resolved from here, whatever the working directory) and resolves the
// `@msc/*` packages to their sources (the `@msc/source` condition), as the tests do.
//
// Signals: the child gets the terminal's Ctrl-C itself (same process group); a SIGINT or SIGTERM
// sent to this process alone is forwarded. This process never dies of the signal: it exits with
// the child's code, so a clean stop (exit 0) is not reported as a failure by pnpm.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs `entry` (a URL of a `.ts` file) in a child node with the arguments this process was given,
 * and exits with its code.
 *
 * @param {URL} entry
 */
export function runTypeScript(entry) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      '--conditions=@msc/source',
      fileURLToPath(entry),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => {
    process.stderr.write(`could not start node: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal === 'SIGINT' ? 130 : 1));
  });
}
