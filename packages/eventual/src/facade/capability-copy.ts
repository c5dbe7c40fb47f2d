import { streamEndpoint } from '../streams/stream-endpoint.ts';
import { copyFacade, isProxy } from './facade-references.ts';

/**
 * Capabilities inside values passed to or returned from a local call are copied, not shared: the
 * receiver gets its own proxy instances (its own references) and the sender keeps its own. This
 * keeps local and remote calls alike (docs/semantics.md#location-independence): over a session the
 * receiver also gets its own imports, so disposing the sender's proxy never breaks the receiver's.
 *
 * Only containers on the path to a proxy are copied; a value without proxies is returned as is,
 * so plain data costs a walk and no allocation. Typed arrays, dates, errors and other built-ins
 * are leaves. Walks stop at {@link maximumDepth} (deeper values are passed as they are).
 */
const maximumDepth = 64;

/** Returns `value` with every proxy inside replaced by a new instance of the same capability. */
export function copyCapabilities<T>(value: T): T {
  return copy(value, 0) as T;
}

/** Disposes every proxy inside `value` (the copies made by {@link copyCapabilities}). */
export function releaseCapabilities(value: unknown): void {
  visit(value, 0);
}

function copy(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > maximumDepth) return value;
  if (isProxy(value)) return copyFacade(value);
  if (Array.isArray(value)) {
    let result: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      const copied = copy(item, depth + 1);
      if (copied !== item) {
        result ??= value.slice();
        result[index] = copied;
      }
    }
    return result ?? value;
  }
  if (value instanceof Map) {
    let changed = false;
    const entries: [unknown, unknown][] = [];
    for (const [key, item] of value) {
      const copiedKey = copy(key, depth + 1);
      const copiedItem = copy(item, depth + 1);
      if (copiedKey !== key || copiedItem !== item) changed = true;
      entries.push([copiedKey, copiedItem]);
    }
    return changed ? new Map(entries) : value;
  }
  if (value instanceof Set) {
    let changed = false;
    const items: unknown[] = [];
    for (const item of value) {
      const copied = copy(item, depth + 1);
      if (copied !== item) changed = true;
      items.push(copied);
    }
    return changed ? new Set(items) : value;
  }
  if (!isWalkable(value)) return value;
  let result: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const copied = copy(item, depth + 1);
    if (copied !== item) {
      result ??= cloneShallow(value as Record<string, unknown>);
      result[key] = copied;
    }
  }
  return result ?? value;
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

/** Plain objects and instances of user classes (data contracts) are walked; built-ins are leaves. */
function isWalkable(value: object): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  if (value instanceof Date || value instanceof Error || value instanceof RegExp) return false;
  if (value instanceof Promise || streamEndpoint in value) return false;
  return true;
}

function cloneShallow(value: Record<string, unknown>): Record<string, unknown> {
  const clone = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  return Object.assign(clone, value);
}
