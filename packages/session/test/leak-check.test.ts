import { describe, expect, test } from 'vitest';
import { type CheckedSession, expectDrained, isDrained } from './fixtures/leak-check.ts';

/** A session whose tables hold `counts` (zero where not given). */
function sessionWith(
  counts: Partial<ReturnType<CheckedSession['stats']>>,
  isTerminated = false,
): CheckedSession {
  const stats = { questions: 0, answers: 0, embargoes: 0, streams: 0, exports: 0, imports: 0, ...counts };
  return { stats: () => stats, isTerminated };
}

describe('the leak check every session test ends with', () => {
  test('a live session holding just its roots is drained', async () => {
    const session = sessionWith({ exports: 1, imports: 1 });
    expect(isDrained(session)).toBe(true);
    await expectDrained([session]);
  });

  test('a question left open fails the check, naming the table', async () => {
    const session = sessionWith({ questions: 1 });
    expect(isDrained(session)).toBe(false);
    await expect(expectDrained([session])).rejects.toThrow('questions left open');
  });

  test('a stream left open fails the check, naming the table', async () => {
    await expect(expectDrained([sessionWith({ streams: 2 })])).rejects.toThrow('streams left open');
  });

  test('an export beyond the root fails the check', async () => {
    await expect(expectDrained([sessionWith({ exports: 2 })])).rejects.toThrow('exports beyond the root');
  });

  test('an ended session may keep no root at all', async () => {
    const session = sessionWith({ imports: 1 }, true);
    expect(isDrained(session)).toBe(false);
    await expect(expectDrained([session])).rejects.toThrow('imports beyond the root');
  });

  test('the check waits for releases that are still travelling', async () => {
    const stats = { questions: 0, answers: 1, embargoes: 0, streams: 0, exports: 1, imports: 1 };
    setTimeout(() => {
      stats.answers = 0; // the Finish arrived
    }, 20);
    await expectDrained([{ stats: () => stats, isTerminated: false }]);
  });
});
