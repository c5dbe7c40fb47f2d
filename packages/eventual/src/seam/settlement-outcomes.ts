import { describeValue, NotCapabilityError } from '../errors.ts';
import type { ResultHandler, Settlement } from './capability-handler.ts';

// What a settled result gives to what is asked of it afterwards, the same for every result handler
// (the local promise, its views, a call's context result, a session's questions and promise imports).

/**
 * What a call named `method` on a result settled as `settlement` (data or an error, not a
 * capability) fails with: the error, or a `NotCapabilityError` for data.
 */
export function settlementError(settlement: Settlement, method: string): unknown {
  if (settlement.kind === 'error') return settlement.error;
  return new NotCapabilityError(
    method,
    describeValue(settlement.kind === 'value' ? settlement.value : undefined),
  );
}

/**
 * What `whenResolved()` of `handler` gives once its settlement is `settlement`: until it settles, a
 * promise that asks `handler` again then; a capability's own `whenResolved()`; else rejected with
 * {@link settlementError} (`NotCapabilityError` for data).
 */
export function resolutionOf(
  handler: Pick<ResultHandler, 'onSettled' | 'whenResolved'>,
  settlement: Settlement | undefined,
): Promise<void> {
  if (settlement === undefined) {
    return new Promise<void>((resolve, reject) => {
      handler.onSettled(() => handler.whenResolved().then(resolve, reject));
    });
  }
  return settlement.kind === 'capability'
    ? settlement.handler.whenResolved()
    : Promise.reject(settlementError(settlement, 'whenResolved'));
}
