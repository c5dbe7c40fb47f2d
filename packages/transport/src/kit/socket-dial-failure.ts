import { DialError, type DialErrorCode } from '../dial-error.ts';
import { describeError } from './describe-error.ts';

/** What each Node socket error code means for a dial: the `DialError` code and plain words. */
const socketFailures: ReadonlyMap<string, readonly [DialErrorCode, string]> = new Map([
  ['ECONNREFUSED', ['refused', 'nothing accepts connections there']],
  ['ECONNRESET', ['failed', 'the other side reset the connection']],
  ['ETIMEDOUT', ['timeout', 'the operating system gave up waiting for an answer']],
  ['ENOTFOUND', ['unreachable', 'the host name does not resolve']],
  ['EAI_NONAME', ['unreachable', 'the host name does not resolve']],
  ['EAI_AGAIN', ['unreachable', 'the host name could not be resolved now (a temporary DNS failure)']],
  ['EHOSTUNREACH', ['unreachable', 'the host cannot be reached']],
  ['ENETUNREACH', ['unreachable', 'the network cannot be reached']],
  ['EADDRNOTAVAIL', ['unreachable', 'the address is not available from this machine']],
]);

/**
 * The `DialError` for a socket that failed while connecting to `address`. Node's messages repeat
 * the address (`connect ECONNREFUSED 127.0.0.1:7000`), so a known code is said in words with the
 * code in parentheses and the address appears once: "expected to connect to tcp:127.0.0.1:7000,
 * but nothing accepts connections there (ECONNREFUSED)". Anything else is described as it is.
 *
 * @param address the dialed address, as the caller wrote it
 * @param error what the socket reported; kept as the cause
 */
export function socketDialFailure(address: string, error: unknown): DialError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const known = typeof code === 'string' ? socketFailures.get(code) : undefined;
  if (known === undefined) {
    return new DialError(
      'failed',
      address,
      `expected to connect to ${address}, but ${describeError(error)}`,
      error,
    );
  }
  const [kind, words] = known;
  return new DialError(kind, address, `expected to connect to ${address}, but ${words} (${code})`, error);
}
