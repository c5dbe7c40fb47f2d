import { describe, expect, test } from 'vitest';
import { enableStreams } from '../src/index.ts';
import { installStreamPart } from '../src/stream-part.ts';
import { Calc, type ICalc, rawPeer } from './fixtures.ts';

// The stream messages' form is checked by the stream part (wire/stream-messages.ts), not by
// parseMessage: with the part, each malformed one ends the session with `protocol`; without it
// (the browser entry) every stream message is forged and ends it too, unread.

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

  // No stream can cross a session without the part (one arriving ends it), so any stream message
  // there is forged: well-formed or not, it ends the session as the bridge would end it.
  test.each([
    ...malformed,
    ['well-formed StreamDelivered', [14, 1], ''],
    ['well-formed StreamItems', [9, 1, [1]], ''],
  ] as typeof malformed)(
    'without the stream part, a %s ends the session with protocol naming enableStreams()',
    async (_name, message) => {
      installStreamPart(undefined);
      try {
        const { listener, remote, send } = rawPeer<ICalc>(new Calc(1));
        expect(await remote.add(1)).toBe(2);
        send(message);
        const reason = await listener.closed;
        expect(reason).toMatchObject({ step: 'session', code: 'protocol', remote: false });
        expect(reason.message).toContain('the peer sent a stream');
        expect(reason.message).toContain('enableStreams()');
        remote[Symbol.dispose]();
      } finally {
        enableStreams();
      }
    },
  );
});
