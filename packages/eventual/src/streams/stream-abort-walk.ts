import { AbortedError } from '../errors.ts';
import { StreamEnd, streamQueue } from './stream-endpoint.ts';

/**
 * The walk behind `abortStreamsIn` (abort-streams.ts): aborts every stream end inside `value`
 * (arrays, plain objects and class instances, maps, sets; up to 64 deep). Each object is visited
 * once: shared subtrees and cycles (legal in a call's data) cost one visit, not one per path.
 * Installed by every stream's queue as it is made (flow-queue.ts), so only a program that makes
 * streams carries it.
 *
 * @param error - the reason, given as the `AbortedError`'s cause (or used as is when it is one)
 */
export function abortStreamEnds(value: unknown, error: unknown): void {
  const aborted =
    error instanceof AbortedError
      ? error
      : new AbortedError('the call carrying this stream failed', { cause: error });
  visit(value, aborted, 0, new WeakSet<object>());
}

function visit(value: unknown, error: AbortedError, depth: number, visited: WeakSet<object>): void {
  if (typeof value !== 'object' || value === null || depth > 64 || visited.has(value)) return;
  visited.add(value);
  // A stream end (by its base: this file does not load the stream classes).
  if (value instanceof StreamEnd) {
    // Its queue (a FlowQueue, which installs this walk: typed by what is used here, not imported).
    (value as unknown as { readonly [streamQueue]: { abort(error: unknown): void } })[streamQueue].abort(
      error,
    );
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) visit(item, error, depth + 1, visited);
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      visit(key, error, depth + 1, visited);
      visit(item, error, depth + 1, visited);
    }
  } else if (value instanceof Set) {
    for (const item of value) visit(item, error, depth + 1, visited);
  } else if (!ArrayBuffer.isView(value) && !(value instanceof Error) && !(value instanceof Date)) {
    for (const key of Object.keys(value))
      visit((value as Record<string, unknown>)[key], error, depth + 1, visited);
  }
}
