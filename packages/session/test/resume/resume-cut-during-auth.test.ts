import { expect, test } from 'vitest';
import type { Authenticator } from '../../src/index.ts';
import { echoPairs } from '../fixtures/echo-pairs.ts';
import { until } from '../fixtures/resumable-pair.ts';

/**
 * A connection dropped while the resume exchange authenticates is a failed attempt, not a refusal:
 * the dialer tries again within its window (only an AuthenticationError or a `Refused` frame ends
 * the session).
 */
const echoPair = echoPairs();

let onListenerAuthentication: (() => void) | undefined;
/** A scheme with one message each way (as the identity scheme has); a hook runs in the listener's run. */
const pinging: Authenticator<string> = {
  scheme: 'ping',
  async authenticate(context) {
    if (context.role === 'listener' && onListenerAuthentication !== undefined) {
      const hook = onListenerAuthentication;
      onListenerAuthentication = undefined;
      hook();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    context.send(new Uint8Array([1]));
    await context.receive();
    return 'peer';
  },
};

test('a cut while the resume authenticates: the dialer tries again and resumes', async () => {
  const pair = echoPair({
    authenticator: pinging,
    dialerResume: { graceMs: 5000 },
  });
  expect(await pair.remote.echo('a')).toBe('a');
  await until(
    () => pair.dialer.resumption?.resumable === true && pair.listener.resumption?.resumable === true,
  );
  // The next resume connection is cut while the listener authenticates.
  onListenerAuthentication = () => setTimeout(() => pair.cut(), 5);
  pair.cut();
  await until(() => pair.events.dialer.some((e) => e.type === 'resumed' || e.type === 'lost'), 4000);
  expect(pair.events.dialer.filter((e) => e.type === 'lost')).toEqual([]);
  expect(pair.dials).toBeGreaterThanOrEqual(2);
  expect(await pair.remote.echo('b')).toBe('b');
});
