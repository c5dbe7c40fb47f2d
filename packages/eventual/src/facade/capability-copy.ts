import { claimCarriedCapabilities, markCarriedCapabilities } from './carried-capabilities.ts';
import { copyData, isWalkable, maximumDepth } from './data-copy.ts';
import { copyFacade, endArgument, isProxy, moveFacade } from './facade-references.ts';

/**
 * Capabilities inside values crossing a local call are given to the receiver as proxy instances of
 * its own, as a session does (docs/ownership.md): arguments are lent (the caller keeps its own, and
 * the callee's copies are released when the call settles, see {@link endArguments}); a returned
 * value's capabilities move into the result (the callee's instances end).
 *
 * The data around them is copied too, as a session copies it (`data-copy.ts`). Walks stop at
 * {@link maximumDepth} (deeper values are passed as they are).
 */

/** How many proxies the last {@link copyCapabilities} copied (read right after it; no allocation). */
let copiedInLast = 0;

function copyCounted(proxy: object): object {
  copiedInLast++;
  return copyFacade(proxy);
}

/**
 * Returns a copy of `value` with every proxy inside replaced by a new instance of the same
 * capability; with `shareData`, the data itself is kept (see `copyData`). {@link copiedCapabilities}
 * says afterwards how many proxies it met.
 */
export function copyCapabilities<T>(value: T, shareData = false): T {
  copiedInLast = 0;
  return copyData(value, copyCounted, shareData);
}

/** How many proxies the last {@link copyCapabilities} copied (so a call without any skips the release walk). */
export function copiedCapabilities(): number {
  return copiedInLast;
}

/**
 * Returns a copy of `value` with every proxy inside replaced by a new instance that took its
 * reference (what a method returns moves into its result); with `shareData`, the data is kept. A
 * copy with capabilities is marked as carrying them (`carried-capabilities.ts`).
 *
 * @throws DisposedError when a proxy inside was disposed (or already returned)
 */
export function moveCapabilities<T>(value: T, shareData = false): T {
  if (typeof value !== 'object' || value === null) return value;
  // One instance returned twice in the same value moves once; its other places get copies.
  let moved: Map<object, object> | undefined;
  const result = copyData(
    value,
    (proxy) => {
      const earlier = moved?.get(proxy);
      if (earlier !== undefined) return copyFacade(earlier);
      const facade = moveFacade(proxy);
      (moved ??= new Map()).set(proxy, facade);
      return facade;
    },
    shareData,
  );
  if (moved !== undefined) markCarriedCapabilities(result);
  return result;
}

/** Releases the capabilities in `value` unless someone took them (at most once; `carried-capabilities.ts`). */
export function releaseCarriedCapabilities(value: unknown): void {
  if (claimCarriedCapabilities(value)) releaseCapabilities(value);
}

/** Disposes every proxy inside `value` (the copies made by {@link copyCapabilities}). */
export function releaseCapabilities(value: unknown): void {
  visit(value, 0, dispose);
}

/**
 * Ends the proxies a call received as arguments once it settled: each releases its reference, and a
 * callee that kept one without copying it gets a `DisposedError` that says so.
 */
export function endArguments(args: readonly unknown[]): void {
  visit(args, 0, endArgument);
}

function dispose(value: object): void {
  (value as Disposable)[Symbol.dispose]();
}

/**
 * Calls `each` on every proxy inside `value`. Each container is walked once, so data whose sharing
 * or cycles multiply its paths (a local call's data keeps its cycles) costs one visit per object,
 * not one per path. The set of containers seen is made at the first nested one.
 */
function visit(value: unknown, depth: number, each: (proxy: object) => void): void {
  new ProxyWalk(each).visit(value, depth);
}

class ProxyWalk {
  readonly #each: (proxy: object) => void;
  #seen: Set<object> | undefined = undefined;

  constructor(each: (proxy: object) => void) {
    this.#each = each;
  }

  visit(value: unknown, depth: number): void {
    if (typeof value !== 'object' || value === null || depth > maximumDepth) return;
    if (isProxy(value)) {
      this.#each(value);
      return;
    }
    if (depth > 0) {
      const seen = (this.#seen ??= new Set());
      if (seen.has(value)) return;
      seen.add(value);
    }
    if (Array.isArray(value)) {
      for (const item of value) this.visit(item, depth + 1);
    } else if (value instanceof Map) {
      for (const [key, item] of value) {
        this.visit(key, depth + 1);
        this.visit(item, depth + 1);
      }
    } else if (value instanceof Set) {
      for (const item of value) this.visit(item, depth + 1);
    } else if (isWalkable(value)) {
      for (const key of Object.keys(value)) this.visit((value as Record<string, unknown>)[key], depth + 1);
    }
  }
}
