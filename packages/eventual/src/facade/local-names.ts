/**
 * Names a proxy answers locally, never as a call (issue 14, class 11). JavaScript and its libraries
 * probe objects for these names on their own (`JSON.stringify` looks for `toJSON`, string
 * conversion for `toString` and `valueOf`, `await` for `then`, serializers for `constructor`): if a
 * proxy answered them with a method, formatting an error or logging a value would send calls to
 * the capability, and a string conversion would throw. So a proxy answers them as a plain object
 * would, and the dispatch side refuses them by name: a peer cannot call a target's `toString` or
 * `toJSON` either, whatever its class defines.
 *
 * Symbol-keyed probes (`Symbol.toPrimitive`, `Symbol.iterator`, `util.inspect.custom`, ...) never
 * become calls, since method names are strings; a capability proxy answers them with `undefined`.
 */

/**
 * Every name `Object.prototype` defines (`constructor`, `__proto__`, `toString`, `valueOf`,
 * `hasOwnProperty`, ...), plus `toJSON` and `then`.
 */
export const localNames: ReadonlySet<string> = new Set([
  'constructor',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
  'toJSON',
  'then',
]);

/**
 * What a proxy answers for a local name: `undefined` for `constructor`, `toJSON` and `then` (a proxy
 * has no class of its own, is written by its session rather than by `JSON.stringify`, and is not
 * thenable); what an ordinary object answers for the other `Object.prototype` names, so that
 * `String(proxy)` is `'[object Proxy]'` (or `'[object Result]'`) and `hasOwnProperty` works.
 *
 * @param receiver - the proxy being asked (accessors such as `__proto__` run against it)
 */
export function localAnswer(name: string, receiver: object): unknown {
  if (absentNames.has(name)) return undefined;
  return Reflect.get(Object.prototype, name, receiver);
}

/** The local names a proxy answers with `undefined` (the `in` operator says it lacks them). */
export const absentNames: ReadonlySet<string> = new Set(['constructor', 'toJSON', 'then']);
