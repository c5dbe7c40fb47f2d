import { streamEndpoint } from '../streams/stream-endpoint.ts';
import { isProxy } from './facade-references.ts';

/**
 * Local calls isolate data as a session does (docs/semantics.md#location-independence): the
 * arguments a callee receives and the result a caller receives are copies, so a callee that
 * mutates an argument, or a caller that mutates a result, never changes the other side's value.
 *
 * What is copied: arrays, plain objects (prototype `Object.prototype` or `null`; own enumerable
 * string keys, as a serializer sends them), `Map`, `Set`, `Date`, `ArrayBuffer` and typed arrays or
 * `DataView`s (the bytes are copied). Proxies go through `each`, which gives the receiver an
 * instance of its own. Kept by reference: stream ends (handed over, not copied), errors, functions,
 * promises, and instances of classes (data contracts, anything with private state or internal
 * slots, which a field-by-field copy would break): an instance is shallow-copied only when a proxy
 * lies inside it, as before, so that the proxy can be replaced. Treat class instances you pass to a
 * local call as immutable, or make them plain data.
 *
 * Cycles are kept (a copy points back at the copy of its ancestor); an object reached twice by
 * different paths is copied twice, as a session's serializer sends it twice, until the copy is large
 * (see {@link rememberAfter}). Values deeper than {@link maximumDepth} are passed as they are (a
 * session would refuse them at its serializer's depth limit).
 */
export const maximumDepth = 64;

/**
 * `value`, copied as above; every proxy inside replaced by `each(proxy)`. With `shareData`, the
 * data is kept and only the containers on the path to a proxy are copied (for data a session
 * decoded or will encode, which is a copy already: see {@link markSerialized}).
 */
export function copyData<T>(value: T, each: (proxy: object) => object, shareData = false): T {
  if (typeof value !== 'object' || value === null) return value;
  const copy = new DataCopy(each);
  return (shareData ? copy.share(value, 0) : copy.copy(value, 0)) as T;
}

/**
 * The argument list a session is handing to its target right now (see {@link markSerialized}). One
 * slot, not a set: the target's `call` reads the mark synchronously, inside the session's call, so
 * no per-call entry is made for the collector to trace (a WeakSet entry per call cost the hot path
 * about a tenth).
 */
let serializedArguments: object | undefined;
/** Whether the marked argument list may hold proxies (see {@link markSerialized}). */
let serializedHoldsReferences = true;

/**
 * Marks an argument list a session decoded for one call alone, for the duration of its `call` on
 * the target: a local dispatch does not copy its data again, and the call's result, which the
 * session encodes at once, is not copied either. Copying them would cost a remote call a second
 * copy. The session clears the mark (`markSerialized(undefined)`) once `call` returned, so the
 * slot holds no decoded data afterwards.
 *
 * @param holdsReferences - `false` when the payload the list was decoded from named no capability
 *   and no stream: the list then holds no proxy, so a local dispatch does not walk it for proxies to
 *   copy (nor the session for proxies to release after the call). A walk of 10,000 small objects
 *   costs milliseconds.
 */
export function markSerialized(args: object | undefined, holdsReferences = true): void {
  serializedArguments = args;
  serializedHoldsReferences = holdsReferences;
}

/**
 * Runs `call` with `args` marked as {@link markSerialized} marks it, then puts back the mark it
 * found: for a call a session decoded that waited in a queue (a promise's, `promise-handler.ts`) and
 * goes on now, outside the session's own call. The list is still the one decoded for that call alone.
 */
export function callSerialized<T>(args: object, holdsReferences: boolean, call: () => T): T {
  const previousArguments = serializedArguments;
  const previousHoldsReferences = serializedHoldsReferences;
  serializedArguments = args;
  serializedHoldsReferences = holdsReferences;
  try {
    return call();
  } finally {
    serializedArguments = previousArguments;
    serializedHoldsReferences = previousHoldsReferences;
  }
}

/** Whether `args` is the argument list {@link markSerialized} marked, while it is being called. */
export function isSerialized(args: object): boolean {
  return args === serializedArguments;
}

/**
 * Whether a call's argument list holds nothing to copy and nothing to release: no item is an object
 * (functions and symbols pass as they are), or it is a session's decoded list whose payload named
 * no capability (`markSerialized(args, false)`). Such a list is kept as it is: it is the caller's
 * fresh one (a facade's rest parameter, a session's decoded list), never changed after it was lent.
 */
export function holdsNoReferences(args: readonly unknown[]): boolean {
  if (args === serializedArguments && !serializedHoldsReferences) return true;
  for (let index = 0; index < args.length; index++) {
    const item = args[index];
    if (typeof item === 'object' && item !== null) return false;
  }
  return true;
}

/**
 * How many containers a copy makes before it also remembers every object it copied. Below it, an
 * object reached twice is copied twice (as a session's serializer does); past it, the map makes
 * sure no object is copied more than once more, so a value whose sharing multiplies its paths
 * (each level pointing twice at the next) still costs time linear in its objects.
 */
const rememberAfter = 100_000;

class DataCopy {
  readonly #each: (proxy: object) => object;
  /** The containers being copied from the top to the current one, and their copies (for cycles). */
  readonly #path: object[] = [];
  readonly #pathCopies: object[] = [];
  #containers = 0;
  /** Every object copied since {@link rememberAfter} was passed. */
  #copies: Map<object, object> | undefined = undefined;

  constructor(each: (proxy: object) => object) {
    this.#each = each;
  }

  copy(value: unknown, depth: number): unknown {
    if (typeof value !== 'object' || value === null || depth > maximumDepth) return value;
    if (isProxy(value)) return this.#each(value);
    // A cycle leads back to a container on the current path: the copy points at that one's copy.
    for (let index = 0; index < depth; index++) {
      if (this.#path[index] === value) return this.#pathCopies[index];
    }
    const earlier = this.#copies?.get(value);
    if (earlier !== undefined) return earlier;
    if (Array.isArray(value)) {
      const result = new Array<unknown>(value.length);
      this.#enter(value, result, depth);
      for (let index = 0; index < value.length; index++) result[index] = this.copy(value[index], depth + 1);
      return result;
    }
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype === Object.prototype || prototype === null) {
      const result: Record<string, unknown> = prototype === null ? Object.create(null) : {};
      this.#enter(value, result, depth);
      const record = value as Record<string, unknown>;
      for (const key in record) {
        // `for in` with an own-property test is the form V8 optimizes best for plain objects.
        if (Object.hasOwn(record, key)) result[key] = this.copy(record[key], depth + 1);
      }
      return result;
    }
    if (value instanceof Map) {
      const result = new Map<unknown, unknown>();
      this.#enter(value, result, depth);
      for (const [key, item] of value) result.set(this.copy(key, depth + 1), this.copy(item, depth + 1));
      return result;
    }
    if (value instanceof Set) {
      const result = new Set<unknown>();
      this.#enter(value, result, depth);
      for (const item of value) result.add(this.copy(item, depth + 1));
      return result;
    }
    return this.#leaf(value, depth);
  }

  #enter(original: object, copy: object, depth: number): void {
    this.#path[depth] = original;
    this.#pathCopies[depth] = copy;
    if (++this.#containers > rememberAfter) (this.#copies ??= new Map()).set(original, copy);
  }

  /** Built-ins with bytes or a time are copied; class instances are kept (see the header). */
  #leaf(value: object, depth: number): unknown {
    if (ArrayBuffer.isView(value)) {
      const copy = new Uint8Array(value.byteLength);
      copy.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      if (value instanceof DataView) return new DataView(copy.buffer);
      // By its built-in type (a Node `Buffer` arrives as the `Uint8Array` a session would give).
      const type = (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
      const Type = (globalThis as unknown as Record<string, new (buffer: ArrayBuffer) => unknown>)[
        type ?? ''
      ];
      return Type === undefined ? value : new Type(copy.buffer);
    }
    if (value instanceof ArrayBuffer) return value.slice(0);
    if (value instanceof Date) return new Date(value.getTime());
    return isWalkable(value) ? this.share(value, depth) : value;
  }

  /**
   * Inside a class instance data is shared: only the containers on the path to a proxy are copied
   * (shallowly, keeping the prototype), so that the proxy can be replaced by the receiver's own.
   */
  share(value: unknown, depth: number): unknown {
    if (typeof value !== 'object' || value === null || depth > maximumDepth) return value;
    if (isProxy(value)) return this.#each(value);
    if (Array.isArray(value)) {
      let result: unknown[] | undefined;
      for (let index = 0; index < value.length; index++) {
        const item = value[index];
        const copied = this.share(item, depth + 1);
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
        const entry: [unknown, unknown] = [this.share(key, depth + 1), this.share(item, depth + 1)];
        if (entry[0] !== key || entry[1] !== item) changed = true;
        entries.push(entry);
      }
      return changed ? new Map(entries) : value;
    }
    if (value instanceof Set) {
      let changed = false;
      const items: unknown[] = [];
      for (const item of value) {
        const shared = this.share(item, depth + 1);
        if (shared !== item) changed = true;
        items.push(shared);
      }
      return changed ? new Set(items) : value;
    }
    if (!isWalkable(value)) return value;
    let result: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      const copied = this.share(item, depth + 1);
      if (copied !== item) {
        result ??= Object.assign(
          Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>,
          value,
        );
        result[key] = copied;
      }
    }
    return result ?? value;
  }
}

/** Objects whose fields may hold proxies; byte views, dates, errors, patterns, promises and stream ends are leaves. */
export function isWalkable(value: object): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  if (value instanceof Date || value instanceof Error || value instanceof RegExp) return false;
  if (value instanceof Promise || streamEndpoint in value) return false;
  return true;
}
