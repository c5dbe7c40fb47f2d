import { expect, test } from 'vitest';
import type { ResumeEvent } from '../../src/index.ts';
import { type EchoPairMaker, echoPairs } from '../fixtures/echo-pairs.ts';
import { until } from '../fixtures/resumable-pair.ts';

/**
 * A cut that loses the listener's `Accepted`: the listener has switched to the next secret, the
 * dialer has not. The listener keeps the proven secret until the dialer sends on the new
 * connection, so the dialer's next attempt (same secret, fresh nonces) resumes the session.
 */
const echoPair = echoPairs();

test('the Accepted frame lost to a cut: the dialer resumes on its next attempt, nothing is lost', async () => {
  let cutOnResume = 0;
  const listenerEvents: ResumeEvent[] = [];
  const pair: ReturnType<EchoPairMaker> = echoPair({
    dialerResume: { graceMs: 5000 },
    listenerResume: {
      onEvent: (event: ResumeEvent) => {
        listenerEvents.push(event);
        if (event.type === 'resumed' && cutOnResume > 0) {
          cutOnResume--;
          pair.cut(); // `Accepted` is still in flight: lost
        }
      },
    },
  });
  expect(await pair.remote.echo('a')).toBe('a');
  await until(
    () => pair.dialer.resumption?.resumable === true && pair.listener.resumption?.resumable === true,
  );
  // Twice in a row: the secret kept is the one proven, not one the dialer never had.
  cutOnResume = 2;
  pair.cut();
  const later = pair.remote.echo('b');
  await until(() => pair.events.dialer.some((e) => e.type === 'resumed' || e.type === 'lost'), 4000);
  expect(pair.events.dialer.filter((e) => e.type === 'lost')).toEqual([]);
  expect(listenerEvents.filter((e) => e.type === 'resumed').length).toBe(3);
  expect(await later).toBe('b');
  expect(await pair.remote.echo('c')).toBe('c');
  expect(pair.dialer.isTerminated).toBe(false);
});
