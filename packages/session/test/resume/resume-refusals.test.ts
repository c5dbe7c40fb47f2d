import { memoryPair } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import { type Authenticator, ParkedSessions } from '../../src/index.ts';
import {
  ResumeInbox,
  ResumeRefusedError,
  readResumeAnswer,
  resumeAsDialer,
} from '../../src/resume/resume-exchange.ts';
import { ResumeFrame } from '../../src/resume/resume-frames.ts';
import { deriveSecret } from '../../src/resume/resume-secret.ts';
import { parseHello } from '../../src/wire/hello.ts';
import { echoPairs, type IEcho } from '../fixtures/echo-pairs.ts';
import { named } from '../fixtures/named-authenticator.ts';
import { type ResumablePair, type ResumablePairOptions, until } from '../fixtures/resumable-pair.ts';

/**
 * A resuming peer is hostile until proven otherwise: each refusal of docs/resumption.md, reached by a
 * dialer that knows what an eavesdropper of the first connection knows (both hellos, so the
 * resume id and both secret halves they offer) or less, and the session it tried to take over carries on untouched.
 */

const echoPair = echoPairs();

async function established(options: Omit<ResumablePairOptions<IEcho>, 'target'> = {}) {
  const made = echoPair({ authenticator: named('alice'), ...options });
  await made.dialer.established;
  await until(() => made.parked.size === 1);
  return made;
}

/** What an eavesdropper of the first connection learned: the resume id and the session's first secret. */
async function eavesdropped(pair: ResumablePair): Promise<{ id: Uint8Array; secret: Uint8Array }> {
  const { sent, received } = pair.taps[0]!;
  const dialerHello = sent[0]!;
  const listenerHello = received[0]!;
  const transcript = new Uint8Array(dialerHello.byteLength + listenerHello.byteLength);
  transcript.set(dialerHello, 0);
  transcript.set(listenerHello, dialerHello.byteLength);
  // Each hello offers its sender's half of the secret (the listener's followed by the resume id).
  const dialerOffer = parseHello(dialerHello).resume!;
  const listenerOffer = parseHello(listenerHello).resume!;
  expect([dialerOffer.byteLength, listenerOffer.byteLength]).toEqual([32, 48]);
  return {
    id: listenerOffer.slice(32, 48),
    secret: await deriveSecret(dialerOffer, listenerOffer.slice(0, 32), transcript),
  };
}

/** A resume attempt by a stranger: its outcome, `accepted` or the listener's reason. */
async function attempt(
  pair: ResumablePair,
  options: { id: Uint8Array; secret: Uint8Array; authenticator: Authenticator<unknown>; received?: number },
): Promise<string> {
  const [connection, listenerEnd] = memoryPair();
  pair.accept(listenerEnd);
  const inbox = new ResumeInbox();
  connection.start({
    frame: (frame) => inbox.push(frame),
    closed: (reason) => inbox.fail(new Error(reason.message)),
  });
  try {
    await resumeAsDialer({
      connection,
      inbox,
      authenticator: options.authenticator,
      signal: AbortSignal.timeout(2000),
      resumeId: options.id,
      secret: options.secret,
      received: options.received ?? 0,
      ready: () => {},
    });
    readResumeAnswer(await inbox.next());
    return 'accepted';
  } catch (error) {
    if (error instanceof ResumeRefusedError) return error.reason;
    throw error;
  } finally {
    connection.abort();
  }
}

async function stillWorks(
  pair: ResumablePair & { remote: { echo(text: string): Promise<string> } },
): Promise<void> {
  expect(await pair.remote.echo('still here')).toBe('still here');
  expect(pair.dialer.isTerminated).toBe(false);
}

describe('resume attempts the listener refuses, each with a named reason', () => {
  test('an unknown resume id: unknown-session', async () => {
    const pair = await established();
    const outcome = await attempt(pair, {
      id: crypto.getRandomValues(new Uint8Array(16)),
      secret: new Uint8Array(32),
      authenticator: named('alice'),
    });
    expect(outcome).toBe('unknown-session');
    await stillWorks(pair as never);
  });

  test('another identity with the right id and secret: other-identity', async () => {
    const pair = await established();
    const { id, secret } = await eavesdropped(pair);
    expect(await attempt(pair, { id, secret, authenticator: named('mallory') })).toBe('other-identity');
    await stillWorks(pair as never);
  });

  test('the right identity with a wrong secret: bad-secret', async () => {
    const pair = await established();
    const { id } = await eavesdropped(pair);
    const outcome = await attempt(pair, {
      id,
      secret: crypto.getRandomValues(new Uint8Array(32)),
      authenticator: named('alice'),
    });
    expect(outcome).toBe('bad-secret');
    await stillWorks(pair as never);
  });

  test('a stale secret (the one before the last resume): bad-secret once the dialer sent on the new connection', async () => {
    const pair = await established();
    const { id, secret } = await eavesdropped(pair);
    pair.cut();
    await until(() => pair.events.dialer.some((event) => event.type === 'resumed'));
    // A call over the resumed connection shows the listener the dialer read `Accepted`.
    await stillWorks(pair as never);
    expect(await attempt(pair, { id, secret, authenticator: named('alice') })).toBe('bad-secret');
    await stillWorks(pair as never);
  });

  test('a recorded proof replayed on a new connection: bad-secret (the proof is bound to the new hellos)', async () => {
    const pair = await established();
    pair.dialFailure = new Error('hold the dialer back');
    pair.cut();
    await until(() => pair.parked.parked === 1);
    // The dialer's real resume, recorded.
    pair.dialFailure = undefined;
    await until(() => pair.events.dialer.some((event) => event.type === 'resumed'));
    const recorded = pair.taps[pair.taps.length - 1]!.sent;
    const hello = recorded[0]!;
    const proof = recorded.find((frame) => frame[0] === ResumeFrame.Proof)!;
    const authentication = recorded.filter((frame) => frame[0] === ResumeFrame.Authenticate);
    // Replayed as they were, on a new connection.
    const [connection, listenerEnd] = memoryPair();
    pair.accept(listenerEnd);
    const frames: Uint8Array[] = [];
    connection.start({ frame: (frame) => frames.push(frame), closed: () => {} });
    connection.send(hello.slice());
    for (const frame of authentication) connection.send(frame.slice());
    connection.send(proof.slice());
    await until(() => frames.some((frame) => frame[0] === ResumeFrame.Refused));
    const refusal = frames.find((frame) => frame[0] === ResumeFrame.Refused)!;
    expect(new TextDecoder().decode(refusal.subarray(1))).toBe('bad-secret');
    connection.abort();
    await stillWorks(pair as never);
  });

  test('a session already terminated: terminated', async () => {
    const pair = await established();
    const { id, secret } = await eavesdropped(pair);
    await pair.dialer.terminate('done');
    await pair.listener.closed;
    expect(await attempt(pair, { id, secret, authenticator: named('alice') })).toBe('terminated');
  });

  test("a listener without room for another parked session of the same peer ends that peer's oldest (maxParkedSessions)", async () => {
    const parked = new ParkedSessions({ maxParkedSessions: 1 });
    const first = await established({ parked });
    const second = echoPair({ parked, authenticator: named('alice') });
    await second.dialer.established;
    await until(() => parked.size === 2);
    first.dialFailure = new Error('down');
    second.dialFailure = new Error('down');
    first.cut();
    await until(() => parked.parked === 1);
    second.cut();
    const reason = await first.listener.closed;
    expect(reason.code).toBe('limit');
    expect(reason.message).toMatch(/maxParkedSessions 1/);
    expect(parked.parked).toBe(1);
    expect(second.listener.resumption?.state).toBe('parked');
    second.dialFailure = undefined;
    await stillWorks(second as never);
  });
});

describe('memory held during a window stays under its bound', () => {
  test('a parked dialer that keeps sending holds at most maxHeldBytes, then is lost with limit', async () => {
    const maxHeldBytes = 64 * 1024;
    const pair = await established({ dialerResume: { maxHeldBytes } });
    pair.dialFailure = new Error('down');
    pair.cut();
    await until(() => pair.dialer.resumption?.state === 'parked');
    const remote = pair.dialer.remoteRoot<IEcho>();
    const calls: Promise<string>[] = [];
    const text = 'x'.repeat(1000);
    let peak = 0;
    for (let index = 0; index < 200 && !pair.dialer.isTerminated; index++) {
      calls.push(remote.echo(text).catch(() => 'aborted'));
      // The outbox sends once the turn's microtasks have run: a turn per call, so the held bytes grow call by call.
      await new Promise((resolve) => setImmediate(resolve));
      peak = Math.max(peak, pair.dialer.resumption!.heldBytes);
    }
    const reason = await pair.dialer.closed;
    expect(reason.code).toBe('limit');
    expect(reason.message).toMatch(/maxHeldBytes/);
    expect(peak).toBeGreaterThan(maxHeldBytes / 2);
    expect(peak).toBeLessThanOrEqual(maxHeldBytes);
    expect(pair.dialer.resumption!.heldBytes).toBe(0); // dropped at the end
    expect(await Promise.all(calls)).toContain('aborted');
    remote[Symbol.dispose]();
  });

  test('a parked listener holds within the scope-wide maxParkedBytes: one over it is lost with limit', async () => {
    const parked = new ParkedSessions({ maxParkedBytes: 16 * 1024 });
    const pair = await established({ parked, listenerResume: { graceMs: 5000 } });
    pair.dialFailure = new Error('down');
    const streamed = pair.remote.later('y'.repeat(64 * 1024), 30); // its return comes while parked
    await until(() => pair.listener.stats().answers === 1);
    pair.cut();
    const reason = await pair.listener.closed;
    expect(reason.code).toBe('limit');
    expect(parked.parkedBytes).toBe(0);
    await expect(streamed).rejects.toThrow();
  });
});
