/**
 * The session's `signal` option (session-options.ts): aborting it terminates the session. The
 * listener goes once the session ends (`closed` settles), so a long-lived signal shared by many
 * sessions keeps none of the ended ones reachable.
 */
export function terminateOnAbort(
  signal: AbortSignal | undefined,
  closed: Promise<unknown>,
  session: { terminate(message: string): Promise<void> },
): void {
  if (signal === undefined) return;
  const abort = (): void => void session.terminate('the session signal was aborted');
  signal.addEventListener('abort', abort, { once: true });
  void closed.then(() => signal.removeEventListener('abort', abort));
}
