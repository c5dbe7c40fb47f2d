import { nothing } from '@msc/eventual';
import { expect, test } from 'vitest';
import { echoPairs } from '../fixtures/echo-pairs.ts';
import { until } from '../fixtures/resumable-pair.ts';

/**
 * A session is resumable on both sides from its peer's authentication (docs/resumption.md#secret):
 * the halves of the resume secret came in the hellos. A cut while the handshake is still in its
 * configuration step (both sides authenticated, neither established) parks both; the handshake
 * finishes over the resumed connection and a call made before the cut completes once.
 */
const echoPair = echoPairs();

test('a cut while the dialer chooses its root: both park, the handshake ends over the resumed connection', async () => {
  let choose!: () => void;
  const chosen = new Promise<void>((resolve) => {
    choose = resolve;
  });
  let choosing = false;
  const pair = echoPair({
    dialerRoot: async () => {
      choosing = true;
      await chosen;
      return nothing();
    },
  });
  let listenerEstablished = false;
  void pair.listener.established.then(() => {
    listenerEstablished = true;
  });
  const call = pair.remote.echo('first');
  await until(() => choosing && pair.listener.resumption?.resumable === true);
  // The dialer authenticated and holds its Configure back; the listener waits for it.
  expect(pair.dialer.resumption).toMatchObject({ state: 'connected', resumable: true, resumes: 0 });
  expect(listenerEstablished).toBe(false);
  pair.cut();
  await until(() => pair.events.dialer.some((event) => event.type === 'resumed'));
  expect(pair.events.listener.map((event) => event.type)).toEqual(['disconnected', 'resumed']);
  choose();
  expect(await call).toBe('first');
  await pair.dialer.established;
  expect(listenerEstablished).toBe(true);
  expect(await pair.remote.echo('second')).toBe('second');
  expect(pair.events.dialer.some((event) => event.type === 'lost')).toBe(false);
  expect(pair.dialer.resumption?.resumes).toBe(1);
  expect(pair.listener.resumption?.resumes).toBe(1);
});

test('a cut before the listener authenticated the dialer: the dialer is refused unknown-session and the session ends', async () => {
  // The listener's authenticator waits; the dialer's is done at once (it parks, the listener does not).
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const pair = echoPair({
    authenticator: {
      scheme: 'slow-listener',
      async authenticate(context) {
        if (context.role === 'listener') await held;
        return 'peer';
      },
    },
  });
  const call = pair.remote.echo('never');
  await until(() => pair.dialer.resumption?.resumable === true);
  expect(pair.listener.resumption?.resumable).toBe(false);
  expect(pair.parked.size).toBe(0);
  pair.cut();
  await expect(call).rejects.toThrow();
  const closed = await pair.dialer.closed;
  expect(closed).toMatchObject({ code: 'connection-lost', step: 'configuration' });
  expect(closed.message).toContain('unknown-session');
  release();
  // The listener's session ended with the connection, as without resumption: nothing parked.
  expect(await pair.listener.closed).toMatchObject({ code: 'connection-lost', step: 'authentication' });
  expect(pair.parked.size).toBe(0);
});
