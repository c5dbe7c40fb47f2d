import type { ResultHandler } from '../seam/capability-handler.ts';
import { applyConsumerOptions } from '../streams/stream-endpoint.ts';
import { ResultPromise, resultState } from './facade.ts';

/**
 * A call result's consumer view for sequences (docs/semantics.md#streaming): `for await` on the
 * result before its sequence has arrived, and `capacity` / `batchSize` set on it early, which the
 * consumer end it turns out to be applies. A result can only turn out to be a stream in a program
 * where stream ends exist, and every consumer end is made by stream-ends.ts, which installs this
 * view when it loads (a session receives streams through the same classes, `enableStreams()`).
 * A program that never loads them (a page that sends and receives no stream) carries none of it;
 * there a result has no `capacity`, `batchSize` or async iterator.
 */
export function installResultStreams(): void {
  Object.defineProperties(ResultPromise.prototype, {
    capacity: consumerSetting('capacity'),
    batchSize: consumerSetting('batchSize'),
    [Symbol.asyncIterator]: {
      get(this: object) {
        return () => deferredIterator(this as ResultPromise);
      },
      configurable: true,
    },
  });
}

function consumerSetting(key: 'capacity' | 'batchSize'): PropertyDescriptor {
  return {
    get(this: object) {
      return (resultState(this).handler as ResultHandler).consumerOptions?.[key];
    },
    set(this: object, value: unknown) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        throw new RangeError(`${key} must be a positive integer, got ${String(value)}`);
      }
      const handler = resultState(this).handler as ResultHandler;
      const options = (handler.consumerOptions = { ...handler.consumerOptions, [key]: value });
      // Already arrived? Apply at once; otherwise whoever materializes the sequence applies it.
      handler.onSettled((settlement) => {
        if (settlement.kind === 'value') applyConsumerOptions(settlement.value, options);
      });
    },
    configurable: true,
  };
}

/**
 * `for await` on a call result that will be a sequence: the first `next()` is posted before the
 * sequence has arrived; it waits for the value and then delegates to the sequence's own iterator.
 */
function deferredIterator(result: ResultPromise): AsyncIterator<unknown> {
  let inner: AsyncIterator<unknown> | undefined;
  const open = async (): Promise<AsyncIterator<unknown>> => {
    if (inner !== undefined) return inner;
    const value = await result;
    const iterate = (value as Partial<AsyncIterable<unknown>> | null)?.[Symbol.asyncIterator];
    if (typeof iterate !== 'function')
      throw new TypeError('the call result is not iterable: it is not a sequence');
    inner = iterate.call(value);
    return inner;
  };
  return {
    next: async () => (await open()).next(),
    return: async (value?: unknown) => {
      const iterator = await open();
      return iterator.return ? iterator.return(value) : { done: true, value };
    },
  };
}
