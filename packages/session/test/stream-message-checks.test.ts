import { describe, expect, test } from 'vitest';
import { enableStreams } from '../src/index.ts';
import { installStreamPart } from '../src/stream-part.ts';
import { Calc, type ICalc, rawPeer } from './fixtures.ts';

// The stream messages' form is checked by the stream part (wire/stream-messages.ts), not by
// parseMessage: with the part, each malformed one ends the session with `protocol`; without it
// (the browser entry), the session drops them unread, as it drops any stream message.

const malformed: [name: string, message: unknown[], says: string][] = [
  ['StreamItems with a payload that is neither items nor bytes', [9, 1, 'items'], 'malformed stream items'],
  ['StreamItems with a negative stream id', [9, -1, [1]], 'malformed stream items'],
  ['StreamCredit with a capacity of 0', [10, 1, 4, 0, 8], 'malformed stream credit'],
  ['StreamCredit with a fractional credit', [10, 1, 1.5, 8, 8], 'malformed stream credit'],
  ['StreamEnd with an unknown ending', [11, 1, 2, null], 'malformed stream end'],
  ['StreamCancel with an unknown cancelling', [12, 1, null, 7], 'malformed stream cancel'],
  ['StreamDelivered with a string id', [14, 'one'], 'malformed stream delivered'],
];

describe('malformed stream messages', () => {
  test.each(malformed)('a %s ends the session with protocol', async (_name, message, says) => {
    const { listener, remote, send } = rawPeer<ICalc>(new Calc(1));
    expect(await remote.add(1)).toBe(2); // established
    send(message);
    const reason = await listener.closed;
    expect(reason).toMatchObject({ step: 'session', code: 'protocol', remote: false });
    expect(reason.message).toContain(says);
    remote[Symbol.dispose]();
  });

  test('without the stream part, a malformed stream message is dropped and the session goes on', async () => {
    installStreamPart(undefined);
    try {
      const { listener, remote, send } = rawPeer<ICalc>(new Calc(1));
      expect(await remote.add(1)).toBe(2);
      for (const [, message] of malformed) send(message);
      expect(await remote.add(2)).toBe(4); // Calc keeps a running total
      expect(listener.isTerminated).toBe(false);
      remote[Symbol.dispose]();
    } finally {
      enableStreams();
    }
  });
});
