import type { Proxy } from '@msc/eventual';

/**
 * Returns `capability` from a **synchronous** method without keeping a reference to it: the dispatch
 * takes its own reference when the method returns (synchronously), and ours is released in the next
 * microtask. So the object's `Symbol.dispose` runs exactly when the receiver lets go of it, which is
 * how a dropped membership frees its slot.
 *
 * Do not use it from an `async` method: its result is taken a few microtasks later, after ours was
 * released, and the object would be disposed before anyone received it.
 */
export function handOver<I>(capability: Proxy<I>): Proxy<I> {
  queueMicrotask(() => capability[Symbol.dispose]());
  return capability;
}
