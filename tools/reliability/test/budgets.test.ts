import { describe, expect, test } from 'vitest';
import { underAttack } from '../src/attacks.ts';
import { type AttackWire, budgetAttacks, hugeDeclaredCapacity } from '../src/budget-attacks.ts';

const wires: AttackWire[] = ['memory', 'tcp'];

describe.each(wires)('budgets before establishment and stream credit, over %s', (wire) => {
  test('messages held while the session authenticates are bounded by bytes (maxHeldBytes)', async () => {
    const outcome = await underAttack('heldBytesFlood', () => budgetAttacks.heldBytesFlood(wire));
    expect(outcome.incidents).toEqual([]);
    expect(outcome.reason).toMatchObject({ step: 'authentication', code: 'limit', remote: false });
    expect(outcome.reason?.message).toMatch(/more than 65536 bytes .*maxHeldBytes/);
    expect(outcome.bystanderCalls).toBeGreaterThan(0);
  });

  test('authentication messages the authenticator has not read count as held bytes', async () => {
    const outcome = await underAttack('authenticationInboxFlood', () =>
      budgetAttacks.authenticationInboxFlood(wire),
    );
    expect(outcome.incidents).toEqual([]);
    expect(outcome.reason).toMatchObject({ step: 'authentication', code: 'limit', remote: false });
    expect(outcome.reason?.message).toMatch(/more than 65536 bytes .*maxHeldBytes/);
    expect(outcome.bystanderCalls).toBeGreaterThan(0);
  });

  test('frames before the configuration decode with the handshake limits (a 2,000-item array is refused)', async () => {
    const outcome = await underAttack('earlyWideMessage', () => budgetAttacks.earlyWideMessage(wire));
    expect(outcome.incidents).toEqual([]);
    expect(outcome.reason).toMatchObject({ step: 'authentication', code: 'limit', remote: false });
    expect(outcome.reason?.message).toMatch(/2000.*1024|1024.*2000/);
    expect(outcome.bystanderCalls).toBeGreaterThan(0);
  });

  test('decode work before the configuration is bounded across frames (handshakeDecodeBudget)', async () => {
    const outcome = await underAttack('earlyDecodeWork', () => budgetAttacks.earlyDecodeWork(wire));
    expect(outcome.incidents).toEqual([]);
    expect(outcome.reason).toMatchObject({ step: 'authentication', code: 'limit', remote: false });
    expect(outcome.reason?.message).toMatch(/budget/);
    expect(outcome.bystanderCalls).toBeGreaterThan(0);
  });

  // The session lowers its connection's frame cap to maxHandshakeFrameBytes until its root is out:
  // the transport refuses the frame (over TCP, from its length prefix, before allocating for it).
  test('a large frame before the configuration is refused by the lowered frame cap', async () => {
    const outcome = await underAttack('handshakeFrameFlood', () => budgetAttacks.handshakeFrameFlood(wire));
    expect(outcome.incidents).toEqual([]);
    expect(outcome.reason).toMatchObject({ step: 'authentication', code: 'protocol', remote: true });
    expect(outcome.reason?.message).toMatch(/at most 65536 bytes.*1048576/);
    expect(outcome.bystanderCalls).toBeGreaterThan(0);
  });

  test('stream items beyond the credit the consumer granted end the session with protocol', async () => {
    const outcome = await underAttack('creditOverrun', () => budgetAttacks.creditOverrun(wire));
    expect(outcome.incidents).toEqual([]);
    expect(outcome.reason).toMatchObject({ step: 'session', code: 'protocol', remote: false });
    expect(outcome.reason?.message).toMatch(/stream 0 received 1000 items with only 64 of credit granted/);
    expect(outcome.bystanderCalls).toBeGreaterThan(0);
  });

  test('a huge declared stream window is clamped to maxStreamCapacity: the producer still waits', async () => {
    let figures: Awaited<ReturnType<typeof hugeDeclaredCapacity>> | undefined;
    const outcome = await underAttack('hugeDeclaredCapacity', async () => {
      figures = await hugeDeclaredCapacity(wire, { maxStreamCapacity: 32 });
      return undefined;
    });
    expect(outcome.incidents).toEqual([]);
    expect(figures?.terminated).toBe(false);
    // Capacity 8 of its own, a declared window of 2^40 clamped to 32: at most 32 items buffered.
    expect(figures?.written).toBeGreaterThanOrEqual(8);
    expect(figures?.written).toBeLessThanOrEqual(32);
    expect(outcome.bystanderCalls).toBeGreaterThan(0);
  });
});
