/**
 * Ends a command cleanly on Ctrl-C (SIGINT) or SIGTERM: runs `stop` once, then exits 0.
 *
 * One Ctrl-C can arrive more than once: the terminal signals every process of the foreground group,
 * and `pnpm` and `bin/run-typescript.js` forward the signal to their child as well. So the handler
 * stays installed (a second SIGINT must not fall back to node's default, which kills the process and
 * makes `pnpm` print a failure) and only the first one counts. If `stop` has not finished after
 * `graceMs`, the command exits 1 saying so.
 */
export function stopOnInterrupt(
  stop: () => Promise<void>,
  options: { readonly graceMs?: number } = {},
): void {
  const graceMs = options.graceMs ?? 5_000;
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      process.stderr.write(`did not stop within ${graceMs} ms; exiting anyway\n`);
      process.exit(1);
    }, graceMs).unref();
    void stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
