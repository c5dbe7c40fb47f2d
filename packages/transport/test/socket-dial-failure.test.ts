import { describe, expect, it } from 'vitest';
import { DialError } from '../src/index.ts';
import { socketDialFailure } from '../src/kit/index.ts';

/** An error shaped as Node reports a failed connect (its message repeats the address). */
function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, syscall: 'connect' });
}

describe('socketDialFailure', () => {
  it.each([
    ['ECONNREFUSED', 'refused', 'nothing accepts connections there (ECONNREFUSED)'],
    ['ENOTFOUND', 'unreachable', 'the host name does not resolve (ENOTFOUND)'],
    ['EHOSTUNREACH', 'unreachable', 'the host cannot be reached (EHOSTUNREACH)'],
    ['ETIMEDOUT', 'timeout', 'the operating system gave up waiting for an answer (ETIMEDOUT)'],
    ['ECONNRESET', 'failed', 'the other side reset the connection (ECONNRESET)'],
  ])('%s becomes DialError "%s", saying the address once', (code, kind, words) => {
    const cause = systemError(code, `connect ${code} 127.0.0.1:7000`);
    const error = socketDialFailure('tcp:127.0.0.1:7000', cause);
    expect(error).toBeInstanceOf(DialError);
    expect(error).toMatchObject({ code: kind, address: 'tcp:127.0.0.1:7000', cause });
    expect(error.message).toBe(`expected to connect to tcp:127.0.0.1:7000, but ${words}`);
  });

  it('an error without a known code is described as it is', () => {
    const error = socketDialFailure('ws://127.0.0.1:7000/', new TypeError('self-signed certificate'));
    expect(error).toMatchObject({ code: 'failed' });
    expect(error.message).toBe(
      'expected to connect to ws://127.0.0.1:7000/, but TypeError: self-signed certificate',
    );
  });
});
