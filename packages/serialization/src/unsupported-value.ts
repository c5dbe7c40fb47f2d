/**
 * What to tell a user whose value cannot be encoded: what the value is and the fix that fits its
 * kind. A codec only knows data; capabilities and streams travel by reference through hooks that
 * `@msc/eventual` and `@msc/session` provide. This package must not import them, so the fixes name
 * their functions in text (`proxy()`, `sequence()`, `bytesFrom()` of `@msc/eventual`).
 *
 * Only called on the failure path: nothing here runs for values that encode.
 */

/** What a codec can write, the start of every message here. */
const expected = 'expected plain data, a registered contract, an Error, a capability or a stream';

/**
 * The message of an `unsupported-type` `EncodeError` for `value`, an object no hook and no
 * registered contract claimed: what it is, then what to do instead.
 */
export function unsupportedObjectMessage(value: object): string {
  if (isStream(value)) {
    const got = `${expected}, got ${describeObject(value, 'an async iterable')}`;
    return `${got}; stream it as a Sequence (sequence() from @msc/eventual) or as bytes (bytesFrom())`;
  }
  const got = `${expected}, got ${describeObject(value, 'an object with a custom prototype')}`;
  if (typeof Blob !== 'undefined' && value instanceof Blob) {
    return `${got}; pass new Uint8Array(await blob.arrayBuffer()) or bytesFrom(blob.stream()) from @msc/eventual`;
  }
  if (typeof URL !== 'undefined' && value instanceof URL) {
    return `${got}; pass url.href`;
  }
  if (value instanceof Promise) {
    return `${got}; await it and pass its value`;
  }
  if (value instanceof RegExp) {
    return `${got}; pass its source and flags`;
  }
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
    return `${got}; pass a Map, a Set, an array or an object`;
  }
  if (hasMethods(value)) {
    return `${got}, which has methods; wrap it with proxy() from @msc/eventual to pass it by reference, or register its class as a contract`;
  }
  return `${got}; register its class as a contract, or pass a plain object`;
}

/** The message for a function met among the values (the writer meets it without a class to name). */
export const functionMessage = `${expected}, got a function; make it a method of a class and pass an instance by reference with proxy() from @msc/eventual`;

/** The message for a symbol met among the values. */
export const symbolMessage = `${expected}, got a symbol; pass a string`;

function describeObject(value: object, unnamed: string): string {
  const type = (value as { constructor?: unknown }).constructor;
  return typeof type === 'function' && type.name !== '' && type.name !== 'Object'
    ? `an instance of ${type.name}`
    : unnamed;
}

/** A web `ReadableStream`, a Node stream or any other async iterable (async generators included). */
function isStream(value: object): boolean {
  if (typeof ReadableStream !== 'undefined' && value instanceof ReadableStream) return true;
  return typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** Whether a class between `value` and `Object.prototype` defines a method (besides `constructor`). */
function hasMethods(value: object): boolean {
  for (
    let prototype = Object.getPrototypeOf(value) as object | null;
    prototype !== null && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      if (typeof descriptor?.value === 'function') return true;
    }
  }
  return false;
}
