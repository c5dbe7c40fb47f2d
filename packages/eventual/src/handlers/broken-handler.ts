import type { CapabilityHandler, ResultHandler } from '../seam/capability-handler.ts';
import { FailedResult } from '../seam/failed-result.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';

/**
 * A handler whose every call fails: a revoked capability (its session ended), a promise that
 * rejected, or `Nothing`. It holds nothing, so references cost nothing.
 */
export class BrokenHandler implements CapabilityHandler {
  readonly #error: (method: string) => unknown;

  /** @param error - the error each call fails with, given the method name */
  constructor(error: (method: string) => unknown) {
    this.#error = error;
  }

  call(method: string, args: readonly unknown[]): ResultHandler {
    const error = this.#error(method);
    abortStreamsIn(args, error);
    return new FailedResult(error);
  }

  whenResolved(): Promise<void> {
    return Promise.reject(this.#error('whenResolved'));
  }

  retain(): void {}

  release(): void {}

  shorten(): CapabilityHandler {
    return this;
  }
}
