/**
 * Aborts every stream end inside `value` (arrays, plain objects and class instances, maps, sets;
 * up to 64 deep). A call that never reaches its target (the capability is broken or revoked, the
 * method does not exist, the arguments are invalid or cannot be encoded) carried its streams
 * nowhere: their other ends must see `AbortedError` instead of waiting forever.
 *
 * The walk (stream-abort-walk.ts) is installed by the first stream's queue as it is made
 * (flow-queue.ts): every stream end sits on a queue, so a value holds one only once a stream was
 * made, and until then there is nothing to abort. A program that never makes a stream (a page that
 * sends and receives none) neither carries the walk nor runs it for every failed call.
 *
 * @param error - the reason, given as the `AbortedError`'s cause (or used as is when it is one)
 */
export function abortStreamsIn(value: unknown, error: unknown): void {
  walk?.(value, error);
}

let walk: ((value: unknown, error: unknown) => void) | undefined;

/** Installs the walk of {@link abortStreamsIn}: `FlowQueue`'s constructor, for every stream (one assignment). */
export function installStreamAborts(abortStreamEnds: (value: unknown, error: unknown) => void): void {
  walk = abortStreamEnds;
}
