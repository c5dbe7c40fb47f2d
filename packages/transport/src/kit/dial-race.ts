import { DialError } from '../dial-error.ts';

/** How a dial attempt reports its outcome to {@link raceDial}. Only the first report counts. */
export interface DialAttempt<T> {
  /** The connection is up. */
  succeed(value: T): void;
  /** The attempt failed with this error (the race then calls the attempt's `abandon`). */
  fail(error: DialError): void;
}

/** What a dial races against: the caller's signal and a deadline. */
export interface DialRaceOptions {
  /** Aborting it makes the dial reject with DialError `aborted` (at once when it is already aborted). */
  signal?: AbortSignal | undefined;
  /** The deadline in milliseconds; past it the dial rejects with DialError `timeout`. Undefined: no deadline. */
  timeoutMs?: number | undefined;
}

/**
 * The dial race every transport runs: `start` begins an attempt, which either reports through its
 * {@link DialAttempt}, or loses to the deadline or the signal. Whatever loses, `start`'s returned `abandon` runs
 * exactly once (it destroys the half-open socket and removes the attempt's listeners); after a success it never
 * runs, and the timer and the signal listener are gone before `succeed`'s value is resolved.
 *
 * `start` is not called when the signal is already aborted. It runs synchronously; a throw from it is a failure
 * of the dial (`failed`, with the thrown value as the cause).
 *
 * @param address the dialed address, for error messages
 * @param options the signal and deadline
 * @param start begins the attempt; returns how to abandon it
 */
export function raceDial<T>(
  address: string,
  options: DialRaceOptions,
  start: (attempt: DialAttempt<T>) => () => void,
): Promise<T> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) return Promise.reject(DialError.aborted(address, signal.reason));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let abandon: (() => void) | undefined;
    /** Set when the race was lost before `start` returned its abandon function. */
    let lostEarly = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = (): boolean => {
      if (settled) return false;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (error: DialError): void => {
      if (!cleanup()) return;
      if (abandon === undefined) lostEarly = true;
      else abandon();
      reject(error);
    };
    const onAbort = (): void => fail(DialError.aborted(address, signal?.reason));
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () =>
          fail(
            new DialError(
              'timeout',
              address,
              `expected to connect to ${address} within ${timeoutMs} ms, but it took longer`,
            ),
          ),
        timeoutMs,
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      abandon = start({
        succeed: (value) => {
          if (cleanup()) resolve(value);
        },
        fail,
      });
    } catch (error) {
      fail(
        new DialError(
          'failed',
          address,
          `expected to connect to ${address}, but the dial threw (${String(error)})`,
          error,
        ),
      );
    }
    // An attempt that failed synchronously had no abandon to call yet.
    if (lostEarly) abandon?.();
  });
}
