import { handlerOf } from '../facade/facade-references.ts';

/**
 * Whether two references designate the same object as far as this thread can tell now
 * (docs/semantics.md#identity; E's `sameness`): true for two proxies of one local object, for two
 * imports of one remote export over the same session (however many times it was received), and
 * for a capability that went to a peer and came back home and the original; false for anything
 * that is not a capability.
 *
 * What it cannot tell:
 * - a facet (`facet()`, `proxy(target, { methods })`) and a revocable capability (`revocable()`) are
 *   objects of their own: neither is the same as the object behind it, nor as another facet;
 * - one object reached through two sessions (from its host directly and through a third party) is
 *   two different imports here: sessions compare only what they themselves carry, as CapTP does
 *   without a three-party handoff, so false does not prove two different objects;
 * - a call result that has not settled is compared as the promise it is: await `whenResolved()` on
 *   both first to compare what they resolved to.
 *
 * @throws DisposedError when either reference was disposed
 */
export function sameCapability(first: unknown, second: unknown): boolean {
  const a = handlerOf(first);
  const b = handlerOf(second);
  if (a === undefined || b === undefined) return false;
  return a === b || a.shorten() === b.shorten();
}
