import { copyData, isWalkable, maximumDepth } from './data-copy.ts';
import { copyFacade, isProxy } from './facade-references.ts';

/**
 * Capabilities inside values passed to or returned from a local call are copied, not shared: the
 * receiver gets its own proxy instances (its own references) and the sender keeps its own. This
 * keeps local and remote calls alike (docs/semantics.md#location-independence): over a session the
 * receiver also gets its own imports, so disposing the sender's proxy never breaks the receiver's.
 *
 * The data around them is copied too, as a session copies it (`data-copy.ts`). Walks stop at
 * {@link maximumDepth} (deeper values are passed as they are).
 */

/**
 * Returns a copy of `value` with every proxy inside replaced by a new instance of the same
 * capability; with `shareData`, the data itself is kept (see `copyData`).
 */
export function copyCapabilities<T>(value: T, shareData = false): T {
  return copyData(value, copyFacade, shareData);
}

/** Disposes every proxy inside `value` (the copies made by {@link copyCapabilities}). */
export function releaseCapabilities(value: unknown): void {
  visit(value, 0);
}

function visit(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || depth > maximumDepth) return;
  if (isProxy(value)) {
    (value as Disposable)[Symbol.dispose]();
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) visit(item, depth + 1);
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      visit(key, depth + 1);
      visit(item, depth + 1);
    }
  } else if (value instanceof Set) {
    for (const item of value) visit(item, depth + 1);
  } else if (isWalkable(value)) {
    for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], depth + 1);
  }
}
