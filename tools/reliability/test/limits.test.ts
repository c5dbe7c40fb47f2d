import { describe, expect, test } from 'vitest';
import { type LimitAttack, limitAttacks, neverReadingPeer, underAttack } from '../src/attacks.ts';

/** What each attack must end with: the step, the code, and what the message must say. */
const expectations: Record<LimitAttack, { scenario: string; step: string; code: string; message: RegExp }> = {
  oversizedMessage: {
    scenario: 'a message larger than maxFrameBytes ends the session with a limit error',
    step: 'session',
    code: 'limit',
    message: /65536|frame|bytes/i,
  },
  deepNesting: {
    scenario: 'arguments nested deeper than maxDepth end the session with a limit error',
    step: 'session',
    code: 'limit',
    message: /deep|depth|nest/i,
  },
  importFlood: {
    scenario: 'more capabilities than maxImports end the session with a limit error',
    step: 'session',
    code: 'limit',
    message: /more than 100 capabilities/,
  },
  answerFlood: {
    scenario: 'more outstanding calls than maxAnswers end the session with a limit error',
    step: 'session',
    code: 'limit',
    message: /more than 50 calls outstanding/,
  },
  answerFloodAtCollidingIds: {
    scenario:
      'more outstanding calls than maxAnswers, at question ids sharing one table slot, end the session with a limit error',
    step: 'session',
    code: 'limit',
    message: /more than 50 calls outstanding/,
  },
  silentConnection: {
    scenario: 'a connection that sends nothing ends at the handshake timeout, in the version step',
    step: 'version',
    code: 'timeout',
    message: /did not finish within 300 ms/,
  },
  helloThenSilence: {
    scenario: 'a hello followed by silence ends at the handshake timeout, in the configuration step',
    step: 'configuration',
    code: 'timeout',
    message: /did not finish within 300 ms/,
  },
  halfHelloOverTcp: {
    scenario: 'half a hello over TCP (slowloris) ends at the handshake timeout, in the version step',
    step: 'version',
    code: 'timeout',
    message: /did not finish within 300 ms/,
  },
};

describe('limits under attack: the attacked session ends with a clear reason, others are served', () => {
  for (const [attack, expected] of Object.entries(expectations) as [
    LimitAttack,
    (typeof expectations)[LimitAttack],
  ][]) {
    test(expected.scenario, async () => {
      const outcome = await underAttack(attack, limitAttacks[attack]);
      expect(outcome.incidents).toEqual([]);
      expect(outcome.reason).toMatchObject({ step: expected.step, code: expected.code, remote: false });
      expect(outcome.reason?.message).toMatch(expected.message);
      expect(outcome.bystanderCalls).toBeGreaterThan(0);
    });
  }
});

describe('a peer that never reads', () => {
  test('a byte stream stops at the transport high-water mark: the sender stays bounded', async () => {
    const figures = await neverReadingPeer('byte-stream', { streamBytes: 16 * 1024 * 1024 });
    console.info(`never-reading peer, byte stream: ${JSON.stringify(figures)}`);
    // The stream pump waits while more than 1 MiB is unsent; one batch (64 KiB) may go past it.
    expect(figures.maxBufferedBytes).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024 + 16 * 1024);
    expect(figures.terminated).toBe(false);
  });

  // Call results are sent whatever the peer reads; `limits.maxBufferedBytes` bounds what may pile up
  // (default 64 MiB): past it the session ends with `limit`. Here with a 4 MiB bound.
  test('call results stay bounded when the peer never reads: the session ends with limit', async () => {
    const figures = await neverReadingPeer('call-results', {
      calls: 200,
      resultBytes: 64 * 1024,
      limits: { maxBufferedBytes: 4 * 1024 * 1024 },
    });
    console.info(`never-reading peer, call results: ${JSON.stringify(figures)}`);
    expect(figures.terminated).toBe(true);
    expect(figures.maxBufferedBytes).toBeLessThanOrEqual(4 * 1024 * 1024 + 128 * 1024);
  });
});
