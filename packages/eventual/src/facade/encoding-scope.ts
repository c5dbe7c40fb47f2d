/**
 * Whether a codec is walking values right now. A call result is a native promise that learns it is
 * awaited when something reads its `constructor` (`facade.ts`: `await`, `then` and
 * `Promise.resolve` do), and awaiting moves its capability's reference into the proxy `await` gives
 * (docs/ownership.md). A serializer reads `constructor` of every object it meets, results passed in
 * arguments included, without awaiting anything: a session marks its encodings with
 * {@link markEncoding}, so those reads leave the result as it was.
 */
let depth = 0;

/**
 * Marks the start (`true`) or the end (`false`) of an encoding; encodings may nest. Call the end
 * in a `finally`, so a failed encoding cannot leave the mark set.
 */
export function markEncoding(active: boolean): void {
  depth += active ? 1 : -1;
}

/** Whether an encoding is under way (see {@link markEncoding}). */
export function isEncoding(): boolean {
  return depth !== 0;
}
