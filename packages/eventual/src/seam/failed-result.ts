import { abortStreamsIn } from '../streams/abort-streams.ts';
import type { ConsumerOptions } from '../streams/consumer-options.ts';
import type { CapabilityHandler, ResultHandler, Settlement } from './capability-handler.ts';
import { ignore } from './settlement-listeners.ts';

/**
 * The result of a call that failed before it reached a target (the proxy was disposed, the
 * capability is broken or is `Nothing`). It is settled from birth and holds nothing, so references
 * cost nothing; calls pipelined on it fail with the same error and abort the streams they carried.
 *
 * It behaves as a `PromiseHandler` settled with the same error would, but depends on nothing above
 * the seam: the facade, which needs it for calls on a disposed proxy, sits below the promise
 * handler (which copies capabilities through the facade).
 */
export class FailedResult implements ResultHandler {
  consumerOptions: ConsumerOptions | undefined = undefined;
  readonly #error: unknown;
  readonly #settlement: Settlement;

  /** @param error - what every call and every wait on this result fails with */
  constructor(error: unknown) {
    this.#error = error;
    this.#settlement = { kind: 'error', error };
  }

  call(_method: string, args: readonly unknown[]): ResultHandler {
    abortStreamsIn(args, this.#error);
    return new FailedResult(this.#error);
  }

  whenResolved(): Promise<void> {
    return Promise.reject(this.#error);
  }

  retain(): void {}

  release(): void {}

  shorten(): CapabilityHandler {
    return this;
  }

  onSettled(listener: (settlement: Settlement) => void): () => void {
    listener(this.#settlement);
    return ignore;
  }
}
