/** Resolves after every pending microtask and `count` macrotask turns (timers included). */
export async function turns(count = 3): Promise<void> {
  for (let index = 0; index < count; index++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Resolves after `milliseconds`. */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * Waits until `condition()` holds, giving the event loop turns (and the garbage collector a chance,
 * when exposed) between checks; returns whether it held before `timeoutMs` ran out.
 */
export async function eventually(condition: () => boolean, timeoutMs = 2_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let attempt = 0; ; attempt++) {
    if (condition()) return true;
    if (performance.now() > deadline) return false;
    if (attempt % 10 === 9) gc?.();
    await new Promise((resolve) => setTimeout(resolve, attempt < 20 ? 0 : 5));
  }
}
