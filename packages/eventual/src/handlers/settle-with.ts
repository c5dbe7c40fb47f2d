import { copyCapabilities } from '../facade/capability-copy.ts';
import { isSerialized } from '../facade/data-copy.ts';
import { handlerOf, isResultFacade, takeReference } from '../facade/facade-references.ts';
import type { ResultHandler } from '../seam/capability-handler.ts';
import type { PromiseHandler } from './promise-handler.ts';

/**
 * Settles a call's result with what the implementation returned: a proxy (capability), a call
 * result (follow it, so pipelined calls flow on without waiting), a promise (wait), or data (copied
 * with its proxies, so the callee keeps its own; not copied for a result a session encodes).
 */
export function settleWith(result: PromiseHandler, returned: unknown): void {
  if (typeof returned === 'object' && returned !== null) {
    const handler = handlerOf(returned);
    if (handler !== undefined) {
      takeReference(returned); // the result owns one reference (a fresh proxy's moves here)
      if (isResultFacade(returned)) result.follow(handler as ResultHandler);
      else result.settle({ kind: 'capability', handler });
      return;
    }
  }
  if (isThenable(returned)) {
    returned.then(
      (value) => settleWith(result, value),
      (error: unknown) => result.settle({ kind: 'error', error }),
    );
    return;
  }
  result.settle({ kind: 'value', value: copyCapabilities(returned, isSerialized(result)) });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
