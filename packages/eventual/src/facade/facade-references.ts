import { DisposedError } from '../errors.ts';
import type { CapabilityHandler, ResultHandler } from '../seam/capability-handler.ts';
import { FailedResult } from '../seam/failed-result.ts';
import { createProxy, createResult, stateOf } from './facade.ts';

/**
 * What handlers and sessions do with the reference a proxy instance holds: find the handler behind
 * it, take a reference of their own, move a floating reference (see `handOff()`), copy the
 * instance. The ownership rules are those of `seam/capability-handler.ts`.
 */

/**
 * A new facade of the same kind over the same handler (one more reference): how capabilities are
 * copied into the values a local call passes on.
 */
export function copyFacade(value: object): object {
  const state = stateOf(value)!;
  if (state.disposed) return createResult(new FailedResult(new DisposedError('(copy)', state.reason)));
  // A fresh proxy's reference moves into the copy; otherwise the copy gets one of its own.
  if (!state.sink()) state.handler.retain();
  return state.isResult ? createResult(state.handler as ResultHandler) : createProxy(state.handler);
}

/**
 * A new facade of the same kind over the same handler that takes `value`'s reference: how a
 * returned value's capabilities move into the call's result. `value` ends (its later calls say it
 * was returned), or becomes a view when it was handed off; an instance that holds no reference of
 * its own (a view) gives the new facade a new one.
 *
 * @throws DisposedError for an instance that was disposed (or already returned)
 */
export function moveFacade(value: object): object {
  const handler = moveReference(value);
  return stateOf(value)!.isResult ? createResult(handler as ResultHandler) : createProxy(handler);
}

/**
 * The handler behind a returned instance, with its reference moved to the caller (see
 * {@link moveFacade}).
 *
 * @throws DisposedError for an instance that was disposed (or already returned)
 */
export function moveReference(value: object): CapabilityHandler {
  const state = stateOf(value);
  if (state === undefined) throw new TypeError('not a proxy');
  if (state.disposed) throw new DisposedError('(return)', state.reason);
  // A handed-off instance becomes a view (see `handOff()`); any other ends.
  if (!state.sink() && !state.end('returned')) state.handler.retain();
  return state.handler;
}

/**
 * Ends every proxy instance a call received as an argument once the call has settled: the instance
 * releases its reference, and its later calls say why (see `DisposedError`).
 */
export function endArgument(value: object): void {
  stateOf(value)?.end('argument');
}

/** Whether `value` is a proxy instance or a call result of this package (or of a session). */
export function isProxy(value: unknown): boolean {
  return typeof value === 'object' && value !== null && stateOf(value) !== undefined;
}

/**
 * The handler behind a proxy instance or call result, or `undefined` for anything else. Does not
 * add a reference: `retain()` what you keep. Throws {@link DisposedError} for a disposed instance.
 */
export function handlerOf(value: unknown): CapabilityHandler | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const state = stateOf(value);
  if (state === undefined) return undefined;
  if (state.disposed) throw new DisposedError('(pass as a capability)', state.reason);
  return state.handler;
}

/**
 * Makes a proxy instance's reference floating (see `handOff()`): the first time the instance is
 * shared, its reference moves to the receiver.
 */
export function makeFloating(value: object): void {
  const state = stateOf(value);
  if (state !== undefined && state.ownership === 'owned') state.ownership = 'floating';
}

/**
 * Moves a floating reference out of a proxy instance being shared (a session calls it after
 * exporting the instance, whose export holds its own reference). Returns whether it did.
 */
export function sinkFloating(value: object): boolean {
  const state = stateOf(value);
  if (state === undefined || !state.sink()) return false;
  state.handler.release();
  return true;
}

/**
 * The handler behind a proxy instance, with one reference for the caller: a fresh (floating)
 * instance's reference moves to the caller, otherwise a new one is added.
 *
 * @throws DisposedError for a disposed instance
 */
export function takeReference(value: object): CapabilityHandler {
  const state = stateOf(value);
  if (state === undefined) throw new TypeError('not a proxy');
  if (state.disposed) throw new DisposedError('(pass as a capability)', state.reason);
  if (!state.sink()) state.handler.retain();
  return state.handler;
}

/** Whether `value` is a call result facade (thenable), as opposed to a capability proxy. */
export function isResultFacade(value: object): boolean {
  return stateOf(value)?.isResult ?? false;
}
