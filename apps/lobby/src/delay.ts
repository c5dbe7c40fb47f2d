/**
 * Resolves with `undefined` after `milliseconds`, without keeping the process alive for it (the
 * timer is unreferenced): for bounded waits during shutdown and teardown.
 */
export function delay(milliseconds: number): Promise<undefined> {
  return new Promise((resolve) => {
    const timer: unknown = setTimeout(() => resolve(undefined), milliseconds);
    (timer as { unref?: () => void }).unref?.();
  });
}
