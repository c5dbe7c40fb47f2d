import { NothingError } from '../errors.ts';
import { createProxy } from '../facade/facade.ts';
import { handlerOf, isProxy } from '../facade/facade-references.ts';
import { BrokenHandler } from '../handlers/broken-handler.ts';
import type { Proxy } from './proxy-types.ts';

const nothingHandler = new BrokenHandler((method) => new NothingError(method));

/**
 * The `Nothing` capability: no actions are authorized through it; every call fails with
 * `NothingError`. Use it as a root when a side offers nothing (docs/semantics.md#root-capability).
 */
export function nothing<I = never>(): Proxy<I> {
  return createProxy(nothingHandler) as Proxy<I>;
}

/** Whether `value` is a `Nothing` capability. */
export function isNothing(value: unknown): boolean {
  return isProxy(value) && handlerOf(value) === nothingHandler;
}
