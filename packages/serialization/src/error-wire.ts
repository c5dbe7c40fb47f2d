import type { ContractRegistry } from './contract-registry.ts';
import { DecodeError } from './decode-error.ts';

/** What an `Error` becomes on the wire (a plain object, encoded like any other). */
export interface ErrorPayload {
  name: string;
  message: string;
  code?: unknown;
  cause?: unknown;
  stack?: string;
  properties?: Record<string, unknown>;
}

/** Own properties handled explicitly, or never copied. */
const reservedKeys: ReadonlySet<string> = new Set([
  'name',
  'message',
  'code',
  'cause',
  'stack',
  '__proto__',
  'constructor',
  'prototype',
]);

/** The standard error classes a decoder can recreate without any registration. */
const standardErrors: ReadonlyMap<string, abstract new (...args: any[]) => Error> = new Map<
  string,
  abstract new (
    ...args: any[]
  ) => Error
>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
  ['AggregateError', AggregateError],
]);

/**
 * The wire form of `error`: name, message, `code` and `cause` when present, own enumerable
 * properties, and the stack only when `withStack` (stacks reveal paths and code structure).
 */
export function errorToPayload(error: Error, withStack: boolean): ErrorPayload {
  const payload: ErrorPayload = { name: String(error.name), message: String(error.message) };
  const record = error as unknown as Record<string, unknown>;
  if (record.code !== undefined) payload.code = record.code;
  if (Object.hasOwn(error, 'cause')) payload.cause = record.cause;
  if (withStack && typeof error.stack === 'string') payload.stack = error.stack;
  let properties: Record<string, unknown> | undefined;
  for (const key of Object.keys(error)) {
    if (reservedKeys.has(key)) continue;
    properties ??= {};
    properties[key] = record[key];
  }
  if (properties !== undefined) payload.properties = properties;
  return payload;
}

function define(target: object, key: string, value: unknown): void {
  // Like the engine's own error properties: writable, configurable, not enumerable.
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * Rebuilds an error from its wire form: an instance of the class registered under its name, else of
 * the standard class of that name, else a plain `Error` carrying the wire name.
 * @throws DecodeError `malformed` when the payload is not an error's wire form
 */
export function errorFromPayload(payload: unknown, registry: ContractRegistry): Error {
  if (typeof payload !== 'object' || payload === null)
    throw new DecodeError('malformed', 'expected an error object');
  const wire = payload as Partial<Record<keyof ErrorPayload, unknown>>;
  const { name, message } = wire;
  if (typeof name !== 'string' || typeof message !== 'string') {
    throw new DecodeError('malformed', 'expected an error with a string name and message');
  }
  const type = registry.errorByName(name) ?? standardErrors.get(name) ?? Error;
  // The constructor does not run: subclasses may require arguments, and the wire already says what
  // the fields are. Prototype-only creation keeps `instanceof` and the class's methods.
  const error = Object.create(type.prototype) as Error;
  define(error, 'message', message);
  if (error.name !== name) define(error, 'name', name);
  define(error, 'stack', typeof wire.stack === 'string' ? wire.stack : `${name}: ${message}`);
  if (Object.hasOwn(wire, 'cause')) define(error, 'cause', wire.cause);
  if (wire.code !== undefined) (error as unknown as Record<string, unknown>).code = wire.code;
  if (name === 'AggregateError') define(error, 'errors', []);
  const properties = wire.properties;
  if (typeof properties === 'object' && properties !== null) {
    for (const key of Object.keys(properties)) {
      if (reservedKeys.has(key)) continue;
      (error as unknown as Record<string, unknown>)[key] = (properties as Record<string, unknown>)[key];
    }
  }
  return error;
}
