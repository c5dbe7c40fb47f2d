import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { sessionPair } from './harness.ts';

describe("the session's signal option", () => {
  test('its listener goes when the session ends, so a long-lived signal keeps no ended session', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) {
      const { dialer, listener } = sessionPair({ dialer: { signal: controller.signal } });
      await dialer.established;
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      await dialer.terminate('done');
      await listener.closed;
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('aborting it still terminates the session', async () => {
    const controller = new AbortController();
    const { dialer, listener } = sessionPair({ dialer: { signal: controller.signal } });
    await dialer.established;
    controller.abort();
    const reason = await dialer.closed;
    expect(reason.message).toMatch(/the session signal was aborted/);
    await listener.closed;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
