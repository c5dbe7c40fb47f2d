import {
  AbortedError,
  ArgumentError,
  CancelledError,
  ClosedError,
  DisposedError,
  MethodNotFoundError,
  NotCapabilityError,
  NothingError,
  ResolutionLoopError,
  RevokedError,
} from '@msc/eventual';
import { CallAbortError, CallTimeoutError } from '@msc/eventual/context';
import type { ContractRegistry } from '@msc/serialization';
import { AuthenticationError } from './authenticator.ts';
import { SessionError } from './session-error.ts';

const wellKnownErrors: readonly (abstract new (...args: any[]) => Error)[] = [
  AbortedError,
  ArgumentError,
  CancelledError,
  ClosedError,
  DisposedError,
  MethodNotFoundError,
  NotCapabilityError,
  NothingError,
  ResolutionLoopError,
  RevokedError,
  AuthenticationError,
  SessionError,
];

/**
 * Registers the well-known errors of eventual values and sessions in `registry` (once), so they
 * keep their class across the wire: an `AbortedError` thrown by a callee is an `AbortedError` at the
 * caller.
 */
export function registerEventualErrors(registry: ContractRegistry): void {
  for (const type of wellKnownErrors) {
    const name = type.name;
    if (registry.errorByName(name) === undefined) registry.registerError(type, { name });
  }
  // Registered under the names their instances have (as `fetch`'s and `AbortSignal.timeout()`'s).
  if (registry.errorByName('AbortError') === undefined)
    registry.registerError(CallAbortError, { name: 'AbortError' });
  if (registry.errorByName('TimeoutError') === undefined)
    registry.registerError(CallTimeoutError, { name: 'TimeoutError' });
}
