import { type CallContext, callContext, withOptions } from '@msc/eventual/context';
import { describe, expect, test } from 'vitest';
import { served } from './harness.ts';

interface IEcho {
  echo(value: string): Promise<string>;
}

/** Echoes, keeping the context each call was served with. */
class Echo implements IEcho {
  readonly contexts: CallContext[] = [];
  async echo(value: string): Promise<string> {
    this.contexts.push(callContext());
    return value;
  }
}

describe('an infinite time limit is no deadline', () => {
  test('timeoutMs: Infinity and deadline: Infinity call the peer without a deadline and keep the session', async () => {
    const echo = new Echo();
    const { dialer, listener, remote } = served<IEcho>(echo);
    await remote.whenResolved();
    using forever = withOptions(remote, { timeoutMs: Number.POSITIVE_INFINITY });
    expect(await forever.echo('a')).toBe('a');
    using never = withOptions(remote, { deadline: Number.POSITIVE_INFINITY });
    expect(await never.echo('b')).toBe('b');
    // What `remainingMs()` says without a deadline passes on as none.
    using passed = withOptions(remote, { timeoutMs: echo.contexts[0]!.remainingMs() });
    expect(await passed.echo('c')).toBe('c');
    expect(echo.contexts.map((context) => context.deadline)).toEqual([undefined, undefined, undefined]);
    expect(echo.contexts.every((context) => context.remainingMs() === Number.POSITIVE_INFINITY)).toBe(true);
    expect(dialer.isTerminated).toBe(false);
    expect(listener.isTerminated).toBe(false);
    expect(await remote.echo('d')).toBe('d');
  });

  test('a negative or NaN time limit is refused where it is set, naming what is accepted', async () => {
    const { remote } = served<IEcho>(new Echo());
    expect(() => withOptions(remote, { timeoutMs: -1 })).toThrow(/0 or more \(Infinity for none\)/);
    expect(() => withOptions(remote, { timeoutMs: Number.NaN })).toThrow(/0 or more \(Infinity for none\)/);
    expect(() => withOptions(remote, { deadline: Number.NaN })).toThrow(/Infinity for none/);
  });
});
