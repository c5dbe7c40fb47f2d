/** A `process.nextTick`: runs `task` once the microtask queue is empty. */
export type NextTick = (task: () => void) => void;

/** Only what {@link nodeNextTick} reads of a global `process`, each part possibly missing or of another type. */
interface MaybeNodeProcess {
  versions?: { node?: unknown };
  nextTick?: unknown;
}

/**
 * Node's `process.nextTick`, or `undefined` anywhere else. Node is recognised by `process.versions.node`, not by
 * `nextTick` existing: a page with a `process` polyfill has a `nextTick` built on `setTimeout`, which would delay
 * every flush by a macrotask. Only optional chaining and `typeof` touch the global, so an odd `process` (a stub,
 * `null`, a number) never makes this throw.
 *
 * @param scope - the global object to look in (`globalThis`; tests pass their own)
 */
export function nodeNextTick(scope: object): NextTick | undefined {
  const process = (scope as { process?: MaybeNodeProcess | null }).process;
  return typeof process?.versions?.node === 'string' && typeof process.nextTick === 'function'
    ? (process.nextTick as NextTick) // Node's needs no `this`
    : undefined;
}
