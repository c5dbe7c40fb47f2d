import { AbortedError, type Proxy, proxy, sequence } from '@msc/eventual';
import { type Authenticator, Session, unauthenticated } from '@msc/session';
import { memoryPair } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import { framedMessages, within } from '../src/attacks.ts';
import { hostileTarget } from '../src/hostile-target.ts';
import { turns } from '../src/turns.ts';
import { Wire, WireReference } from '../src/wire-peer.ts';

/**
 * Bugs this suite found in the session, each kept as a test of the behaviour now expected. The
 * comments say what used to happen.
 */
describe('findings of this suite, fixed in the session (regression tests)', () => {
  // FIXED FINDING 1. Session.sendCall returns an already-failed result when the session has ended, without
  // looking at the arguments: a Sequence (or Bytes) passed in them is never exported, never aborted,
  // and nobody will ever read it. Its producer's flush() then waits forever, against
  // docs/semantics.md#termination ("every eventual value resolves ... never hangs"). The same
  // happens when encoding a call fails (#encodeMessage calls StreamBridge.unexport, which only
  // deletes the table entry).
  // Reproduction: end a session; call remote.sum(items) with a fresh sequence of capacity 1; write
  // one item; writer.flush() never settles. Expected: the stream is aborted with the call's
  // AbortedError, so flush() rejects.
  test('a sequence passed to a call on an ended session is aborted, so its producer does not hang', async () => {
    const [dialerEnd, listenerEnd] = memoryPair();
    const root = proxy({ async sum() {} });
    const listener = new Session({
      connection: listenerEnd,
      role: 'listener',
      authenticator: unauthenticated(),
      root,
    });
    root[Symbol.dispose]();
    const dialer = new Session({ connection: dialerEnd, role: 'dialer', authenticator: unauthenticated() });
    const remote = dialer.remoteRoot<{ sum(items: unknown): Promise<void> }>();
    await dialer.established;
    await dialer.terminate('done');
    const [items, writer] = sequence<number>({ capacity: 1 });
    const call = remote.sum(items);
    await expect(call).rejects.toBeInstanceOf(AbortedError);
    // The stream went nowhere: the producer learns it at its next write and flush.
    expect(() => writer.write(1)).toThrow(AbortedError);
    const outcome = await within(
      writer.flush().then(
        () => 'flushed',
        (error: unknown) => (error instanceof AbortedError ? 'aborted' : String(error)),
      ),
      500,
    );
    remote[Symbol.dispose]();
    await listener.terminate();
    expect(outcome).toBe('aborted');
  });

  // FIXED FINDING 2. SessionLimits.maxFrameBytes is documented as "Largest frame this side accepts", but
  // the session only checks each message (the codec's limit), not the frame. A frame of 1.2 MB made
  // of 100,000 12-byte messages is accepted by a session whose maxFrameBytes is 64 KiB (the memory transport's
  // own limit is 16 MiB). Expected: the session ends with code `limit`.
  test('a frame larger than maxFrameBytes made of small messages ends the session with limit', async () => {
    const target = hostileTarget({ limits: { maxFrameBytes: 64 * 1024 } });
    target.peer.handshake();
    await target.session.established;
    // Credit for a stream that does not exist is ignored, so every message is harmless on its own.
    const messages = Array.from({ length: 100_000 }, () => [Wire.StreamCredit, 999, 1, 1, 1]);
    const frame = framedMessages(...messages);
    expect(frame.byteLength).toBeGreaterThan(16 * 64 * 1024);
    target.peer.sendRaw(frame);
    const reason = await within(target.session.closed, 1_000);
    if (reason === undefined) await target.session.terminate();
    expect(reason?.code).toBe('limit');
  });

  // FIXED FINDING 3. Session#protocolFailure classifies every DecodeError whose code is not `malformed` or
  // `reference-failed` as a `limit` violation, so a truncated message (DecodeError `truncated`), an
  // unsupported CBOR tag (`unsupported-tag`) or a failing contract (`contract-failed`) ends the
  // session with code `limit`, though no limit was exceeded. Expected: `protocol` (only frame-too-large,
  // too-deep, string-too-long, collection-too-long and bigint-too-large are limits).
  test('a truncated message ends the session with protocol, not limit', async () => {
    const target = hostileTarget();
    target.peer.handshake();
    await target.session.established;
    const call = target.peer.encode([Wire.Call, 0, 0, 0, 'echo', ['a string long enough to cut']]);
    const truncated = call.subarray(0, call.byteLength - 5);
    const frame = new Uint8Array(4 + truncated.byteLength);
    new DataView(frame.buffer).setUint32(0, truncated.byteLength);
    frame.set(truncated, 4);
    target.peer.sendRaw(frame);
    const reason = await within(target.session.closed, 1_000);
    expect(reason?.code).toBe('protocol');
  });

  // FIXED FINDING 4. A forged capability id inside a payload ends the session with the message
  // "decodeReference threw for descriptor 0": the ProtocolViolation that says what was wrong ("the
  // peer named export 5, which it does not hold") is only the DecodeError's cause, and
  // #protocolFailure unwraps the cause for LimitViolation only. Expected: the reason names the export.
  test('a forged export id in arguments ends the session with a reason that names it', async () => {
    const target = hostileTarget();
    target.peer.handshake();
    await target.session.established;
    target.peer.send([Wire.Call, 0, 0, 0, 'echo', [new WireReference([1, 5])]]);
    const reason = await within(target.session.closed, 1_000);
    expect(reason?.code).toBe('protocol');
    expect(reason?.message).toMatch(/export 5/);
  });

  // FIXED FINDING 5. Session#receiveAbort validates the peer's step but takes any string as the code, so a
  // peer can end the session with a TerminationReason (and SessionError.code) outside the documented
  // SessionErrorCode union, e.g. 'banana'. Expected: unknown codes are mapped to a documented one.
  test("a peer's Abort with an unknown code is reported with a documented code", async () => {
    const target = hostileTarget();
    target.peer.handshake();
    await target.session.established;
    target.peer.send([Wire.Abort, 'session', 'banana', 'bye']);
    const reason = await within(target.session.closed, 1_000);
    expect(reason?.remote).toBe(true);
    const documented = [
      'closed',
      'connection-lost',
      'version-mismatch',
      'refused',
      'invalid',
      'timeout',
      'protocol',
      'limit',
      'internal',
    ];
    expect(documented).toContain(reason?.code);
  });

  // FIXED FINDING 6. While this side authenticates (or chooses its root), Session#receiveMessage keeps every
  // later message of the peer in #held, without any bound: the peer can send many frames before the
  // handshake ends (up to handshakeTimeoutMs, 10 s by default), each decoded and retained (byte
  // strings are views of their frames). Here a slow authenticator (300 ms) lets the peer park 2,000
  // messages of 16 KiB (~32 MiB) in the session; maxAnswers (50) is only checked when they are
  // replayed. Expected: a bound on held messages (e.g. maxAnswers messages or maxFrameBytes bytes),
  // past which the session ends with `limit` before the handshake completes.
  test('messages held during authentication are bounded', async () => {
    const slow: Authenticator<undefined> = {
      scheme: 'none',
      authenticate: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 300)),
    };
    const [attackerEnd, sessionEnd] = memoryPair();
    const session = new Session({
      connection: sessionEnd,
      role: 'listener',
      authenticator: slow,
      root: proxy({ async echo(): Promise<void> {} }) as Proxy<unknown>,
      limits: { maxAnswers: 50 },
    });
    const { WirePeer } = await import('../src/wire-peer.ts');
    const peer = new WirePeer(attackerEnd);
    peer.sendHello();
    const payload = new Uint8Array(16 * 1024);
    for (let index = 0; index < 2_000; index++) peer.send([Wire.StreamItems, 999, payload]);
    await turns(2);
    // Still authenticating: had the session bounded what it holds, it would have ended by now.
    const endedEarly = session.isTerminated;
    await session.terminate();
    expect(endedEarly).toBe(true);
  });
});
