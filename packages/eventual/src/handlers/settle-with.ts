import { moveCapabilities } from '../facade/capability-copy.ts';
import { isProxy, isResultFacade, moveReference } from '../facade/facade-references.ts';
import type { CapabilityHandler, ResultHandler } from '../seam/capability-handler.ts';
import type { PromiseHandler } from './promise-handler.ts';

/**
 * Settles a call's result with what the implementation returned: a proxy (capability), a call
 * result (follow it, so pipelined calls flow on without waiting), a promise (wait), or data (copied,
 * not copied for a result a session encodes).
 *
 * Ownership: what a method returns is given to its caller (docs/ownership.md). A returned proxy's
 * reference moves into the result and the callee's instance ends, and so do the proxies inside
 * returned data; a callee that keeps a capability returns a copy (`proxy(this.room)`). Returning
 * an instance that was disposed (or already returned) fails the call with `DisposedError`.
 */
export function settleWith(result: PromiseHandler, returned: unknown): void {
  if (typeof returned === 'object' && returned !== null) {
    // What an `async` method returns (most calls): a plain native promise, neither a proxy nor a
    // result, whose `then` is the engine's.
    if (Object.getPrototypeOf(returned) === Promise.prototype) {
      follow(result, returned as Promise<unknown>);
      return;
    }
    if (isProxy(returned)) {
      let handler: CapabilityHandler;
      try {
        handler = moveReference(returned);
      } catch (error) {
        result.settle({ kind: 'error', error });
        return;
      }
      if (isResultFacade(returned)) result.follow(handler as ResultHandler);
      else result.settle({ kind: 'capability', handler });
      return;
    }
  }
  if (isThenable(returned)) {
    follow(result, returned);
    return;
  }
  let value: unknown;
  try {
    value = moveCapabilities(returned, result.encodedAtOnce);
  } catch (error) {
    result.settle({ kind: 'error', error });
    return;
  }
  result.settle({ kind: 'value', value });
}

/**
 * Settles `result` as `promise` settles. The reactions are two shared functions bound to `result`:
 * a bound function carries its receiver itself, so following costs two small objects and no
 * closure context (56 B less per call than two arrow functions sharing one context; an `await`
 * in an async helper costs more than either). They are methods (not function declarations) so that
 * their `name` stays the engine's own even where a compiler keeps names (tsx, esbuild `keepNames`):
 * binding a function whose `name` was redefined takes the engine's slow path.
 */
function follow(result: PromiseHandler, promise: PromiseLike<unknown>): void {
  promise.then(reactions.fulfilled.bind(result), reactions.rejected.bind(result));
}

const reactions = {
  fulfilled(this: PromiseHandler, value: unknown): void {
    settleWith(this, value);
  },
  rejected(this: PromiseHandler, error: unknown): void {
    this.settle({ kind: 'error', error });
  },
};

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
