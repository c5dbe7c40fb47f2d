import { localNames } from '../facade/local-names.ts';

/**
 * Which function a call names. Method names come from callers, remote ones included, so the lookup
 * treats them as hostile input (issue 14, class 6): a name longer than
 * {@link maximumMethodNameLength} is refused before any lookup, and only hits are remembered (a
 * class has finitely many methods), so a peer sending endless unique names grows no memory.
 */

/**
 * The longest method name a call may carry, in UTF-16 code units. A call with a longer name fails
 * with `MethodNotFoundError` (whose message shows only the start of the name).
 */
export const maximumMethodNameLength = 256;

/** The callable methods found so far, by class prototype and name. Misses are never stored. */
const methodCache = new WeakMap<object, Map<string, Function>>();

/**
 * The callable method `name` of `target`, or why there is none. Only functions on the target's
 * prototype chain below `Object.prototype` are callable: not `constructor`, not own fields, not
 * accessors, not `Object.prototype` members, not the names a proxy answers locally (`toString`,
 * `toJSON`, `then`, ...: `facade/local-names.ts`) (docs/semantics.md#callable-methods). `#private`
 * methods are unreachable by construction.
 */
export function findMethod(target: object, name: string): Function | string {
  if (name.length > maximumMethodNameLength) {
    return `its name is ${name.length} characters long, over the limit of ${maximumMethodNameLength}`;
  }
  const prototype = Object.getPrototypeOf(target) as object | null;
  if (prototype === null) return 'the target has no class';
  let cache = methodCache.get(prototype);
  if (cache === undefined) {
    cache = new Map();
    methodCache.set(prototype, cache);
  }
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const found = lookUpMethod(prototype, name);
  if (typeof found !== 'string') {
    cache.set(name, found);
    return found;
  }
  if (Object.hasOwn(target, name)) return 'it is a field of the object, not a method of its class';
  return found;
}

function lookUpMethod(prototype: object, name: string): Function | string {
  if (name === 'constructor') return 'the constructor is not callable';
  if (localNames.has(name)) return 'proxies answer this name locally and never send it';
  for (let current: object | null = prototype; current !== null; current = Object.getPrototypeOf(current)) {
    if (current === Object.prototype || current === Function.prototype) break;
    const descriptor = Object.getOwnPropertyDescriptor(current, name);
    if (descriptor === undefined) continue;
    if (typeof descriptor.value === 'function') return descriptor.value as Function;
    return descriptor.get || descriptor.set ? 'it is an accessor, not a method' : 'it is not a function';
  }
  return 'no such method';
}

/** The target's class name for error messages. */
export function targetName(target: object): string {
  // Not read on a promise: reading a call result's `constructor` takes it (see docs/ownership.md).
  if (target instanceof Promise) return 'a Promise';
  const name = (target as { constructor?: { name?: string } }).constructor?.name;
  return name ? `${name}` : 'the target';
}
