import { AbortedError, type Proxy, proxy } from '@msc/eventual';
import { memoryPair, messagePortPair } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import {
  AuthenticationError,
  type Authenticator,
  memoryTraceSink,
  Session,
  SessionError,
  traceMessages,
  unauthenticated,
} from '../src/index.ts';
import { Calc, type ICalc } from './fixtures.ts';
import { served, sessionPair, sleep } from './harness.ts';

/** An authenticator that never decides: the handshake stalls at the authentication step. */
const stalling: Authenticator<undefined> = {
  scheme: 'test',
  authenticate: (context) =>
    new Promise((_resolve, reject) =>
      context.signal.addEventListener('abort', () => reject(new Error('stop'))),
    ),
};

describe('session establishment', () => {
  test('both sides agree on the highest common version', async () => {
    const pair = sessionPair({ dialer: { versions: [1] }, listener: { versions: [1] } });
    await Promise.all([pair.dialer.established, pair.listener.established]);
    expect(pair.dialer.protocolVersion).toBe(1);
    const current = sessionPair();
    await Promise.all([current.dialer.established, current.listener.established]);
    expect([current.dialer.protocolVersion, current.listener.protocolVersion]).toEqual([5, 5]);
    const mixed = sessionPair({ dialer: { versions: [1] } });
    await Promise.all([mixed.dialer.established, mixed.listener.established]);
    expect(mixed.listener.protocolVersion).toBe(1);
  });

  test('no version in common terminates with a reason naming both lists', async () => {
    const pair = sessionPair({ dialer: { versions: [7, 8] }, unchecked: true });
    const error = await pair.dialer.established.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ step: 'version', code: 'version-mismatch' });
    expect((error as Error).message).toMatch(/\[7, 8\].*\[1, 2, 4, 5\]/);
    const listenerReason = await pair.listener.closed;
    expect(listenerReason.step).toBe('version');
  });

  test('a refusing authenticator ends the session at the authentication step, and the peer learns why', async () => {
    const refusing: Authenticator<string> = {
      scheme: 'test',
      async authenticate(context) {
        if (context.role === 'listener') throw new AuthenticationError('refused', 'you are not on the list');
        return 'listener';
      },
    };
    const pair = sessionPair({ authenticator: refusing, unchecked: true });
    const remote = pair.dialer.remoteRoot<ICalc>();
    const pending = remote.get();
    const reason = await pair.dialer.closed;
    expect(reason).toMatchObject({ step: 'authentication', code: 'refused', remote: true });
    expect(reason.message).toContain('you are not on the list');
    // A call made before establishment fails with AbortedError, whose cause says why.
    const error = await pending.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toBeInstanceOf(SessionError);
  });

  test('authentication messages reach the peer authenticator in order, and the peer is known', async () => {
    const exchanging: Authenticator<string> = {
      scheme: 'test',
      async authenticate(context) {
        context.send(new TextEncoder().encode(`${context.role}-1`));
        context.send(new TextEncoder().encode(`${context.role}-2`));
        const first = new TextDecoder().decode(await context.receive());
        const second = new TextDecoder().decode(await context.receive());
        expect(second.endsWith('-2') && first.endsWith('-1')).toBe(true);
        expect(context.transcript.byteLength).toBeGreaterThan(64);
        return first.split('-')[0]!;
      },
    };
    const pair = sessionPair({ authenticator: exchanging });
    await pair.dialer.established;
    expect(pair.dialer.peer).toBe('listener');
    expect(pair.listener.peer).toBe('dialer');
  });

  test('the handshake is bound to the addresses, unless one side cannot see them (a browser)', async () => {
    const seen: string[] = [];
    const recording: Authenticator<undefined> = {
      scheme: 'test',
      async authenticate(context) {
        seen.push(`${context.role}|${new TextDecoder().decode(context.channelBinding)}`);
        return undefined;
      },
    };
    const direct = sessionPair({ authenticator: recording });
    await Promise.all([direct.dialer.established, direct.listener.established]);
    const bindings = seen.splice(0).map((entry) => entry.split('|')[1]);
    expect(bindings[0]).toContain('memory:pair');
    expect(bindings[1]).toBe(bindings[0]);

    // A browser WebSocket cannot see its own address: it says so, and neither side binds to them.
    const [page, server] = memoryPair();
    Object.defineProperty(page, 'addressesObservable', { value: false });
    const dialer = new Session({ connection: page, role: 'dialer', authenticator: recording });
    const listener = new Session({ connection: server, role: 'listener', authenticator: recording });
    await Promise.all([dialer.established, listener.established]);
    expect(seen.map((entry) => entry.split('|')[1])).toEqual(['', '']);
    await dialer.terminate();
    await listener.closed;
  });

  test('different authentication schemes fail clearly', async () => {
    const other: Authenticator<undefined> = { scheme: 'other', authenticate: async () => undefined };
    const pair = sessionPair({ dialer: { authenticator: other }, unchecked: true });
    const reason = await pair.dialer.closed;
    expect(reason.step).toBe('authentication');
    expect(reason.message).toMatch(/'other'.*'none'|'none'.*'other'/);
  });

  test('a handshake that stalls ends at the timeout with the step it stalled in', async () => {
    const pair = sessionPair({
      authenticator: stalling,
      dialer: { limits: { handshakeTimeoutMs: 50 } },
      unchecked: true,
    });
    const reason = await pair.dialer.closed;
    expect(reason).toMatchObject({ step: 'authentication', code: 'timeout', remote: false });
    expect((await pair.listener.closed).code).toBe('timeout');
  });

  test('an event loop blocked past the handshake timeout does not end a handshake whose peer answered', async () => {
    // Over a MessageChannel the peer's messages wait in the event loop, behind the timers.
    const [dialing, listening] = messagePortPair();
    const limits = { handshakeTimeoutMs: 200 };
    const dialer = new Session({
      connection: dialing,
      role: 'dialer',
      authenticator: unauthenticated(),
      limits,
    });
    const listener = new Session({
      connection: listening,
      role: 'listener',
      authenticator: unauthenticated(),
      limits,
    });
    const blockedUntil = performance.now() + 500; // a long synchronous task: nobody reads meanwhile
    while (performance.now() < blockedUntil);
    await Promise.all([dialer.established, listener.established]);
    await Promise.all([dialer.terminate('done'), listener.terminate('done')]);
  });

  test('a stalled handshake still ends after a blocked event loop, within one more timeout', async () => {
    const [dialing, listening] = messagePortPair();
    const limits = { handshakeTimeoutMs: 200 };
    const dialer = new Session({ connection: dialing, role: 'dialer', authenticator: stalling, limits });
    new Session({ connection: listening, role: 'listener', authenticator: stalling, limits });
    const started = performance.now();
    const blockedUntil = started + 500;
    while (performance.now() < blockedUntil);
    const reason = await dialer.closed;
    expect(reason).toMatchObject({ step: 'authentication', code: 'timeout', remote: false });
    // 500 ms blocked, then at most the 200 ms granted for it (and timer jitter).
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  test('a peer that sends garbage ends only its own session with a protocol error', async () => {
    const good = served<ICalc>(new Calc(1));
    const bad = sessionPair({ unchecked: true });
    await bad.dialer.established;
    bad.connections[0].send(new Uint8Array([0xff, 0x00, 0x13, 0x37]));
    const reason = await bad.listener.closed;
    expect(reason).toMatchObject({ code: 'protocol', remote: false });
    expect((await bad.dialer.closed).remote).toBe(true);
    expect(await good.remote.get()).toBe(1);
    good.remote[Symbol.dispose]();
  });

  test('a forged import id is a protocol error, and nothing is reached', async () => {
    const secret = new Calc(99);
    const secretProxy = proxy<ICalc>(secret);
    const pair = sessionPair({ listenerRoot: proxy<ICalc>(new Calc(1)) as Proxy<unknown>, unchecked: true });
    const remote = pair.dialer.remoteRoot<ICalc>();
    await remote.add(0);
    // A hand-made frame calling export 5, which was never sent to the dialer.
    const { Codec } = await import('@msc/serialization');
    const message = new Codec().encode([3, 1000, 0, 5, 'add', [1]]);
    const frame = new Uint8Array(4 + message.byteLength);
    new DataView(frame.buffer).setUint32(0, message.byteLength);
    frame.set(message, 4);
    pair.connections[0].send(frame);
    const reason = await pair.listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('export 5');
    expect(secret.log).toEqual([]);
    secretProxy[Symbol.dispose]();
  });

  test('a frame that would cost more decode work than its size allows ends only its session, with limit', async () => {
    const good = served<ICalc>(new Calc(1));
    const pair = sessionPair({ listenerRoot: proxy<ICalc>(new Calc(1)) as Proxy<unknown>, unchecked: true });
    await pair.dialer.remoteRoot<ICalc>().add(0);
    // 100 000 empty arrays: 5 work units per byte, refused before the decoder builds any of them.
    const message = new Uint8Array(100_005).fill(0x80);
    message.set([0x9a, 0x00, 0x01, 0x86, 0xa0]);
    const frame = new Uint8Array(4 + message.byteLength);
    new DataView(frame.buffer).setUint32(0, message.byteLength);
    frame.set(message, 4);
    pair.connections[0].send(frame);
    const reason = await pair.listener.closed;
    expect(reason).toMatchObject({ code: 'limit', remote: false });
    expect(reason.message).toContain('maxWorkPerByte');
    expect(await good.remote.get()).toBe(1);
    good.remote[Symbol.dispose]();
  });

  test('too many outstanding calls is a limit error for that session only', async () => {
    const pair = sessionPair({
      listenerRoot: proxy<ICalc>(new Calc()) as Proxy<unknown>,
      listener: { limits: { maxAnswers: 10 } },
      unchecked: true,
    });
    const remote = pair.dialer.remoteRoot<ICalc>();
    const calls = Array.from({ length: 20 }, () => remote.cloneLater(50));
    const reason = await pair.listener.closed;
    expect(reason.code).toBe('limit');
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
  });

  test("a peer that never reads ends the session before the sender's memory grows past the limit", async () => {
    const pair = sessionPair({
      listenerRoot: proxy<ICalc>(new Calc()) as Proxy<unknown>,
      dialer: { limits: { maxBufferedBytes: 1024 * 1024 } },
      unchecked: true,
    });
    const remote = pair.dialer.remoteRoot<ICalc>();
    await remote.whenResolved();
    // The listener's connection stops delivering: every frame the dialer sends stays buffered.
    const connection = pair.connections[0];
    const original = connection.send.bind(connection);
    let buffered = 0;
    Object.defineProperty(connection, 'bufferedBytes', { get: () => buffered });
    connection.send = (frame: Uint8Array) => {
      buffered += frame.byteLength;
    };
    const payload = new Uint8Array(64 * 1024);
    const calls: Promise<unknown>[] = [];
    for (let index = 0; index < 40 && !pair.dialer.isTerminated; index++) {
      calls.push((remote as unknown as Proxy<{ echo(data: Uint8Array): Promise<void> }>).echo(payload));
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const reason = await pair.dialer.closed;
    expect(reason).toMatchObject({ code: 'limit', remote: false });
    expect(reason.message).toContain('not reading');
    expect(buffered).toBeLessThan(2 * 1024 * 1024);
    for (const outcome of await Promise.allSettled(calls)) expect(outcome.status).toBe('rejected');
    connection.send = original;
  });

  test('tracing records the message sequence without payloads, or with them', async () => {
    const cheap = memoryTraceSink();
    const full = memoryTraceSink();
    const { remote } = served<ICalc>(new Calc(), {
      dialer: { trace: traceMessages({ level: 'messages', sink: cheap, label: 'client' }) },
      listener: { trace: traceMessages({ level: 'payloads', sink: full }) },
    });
    await remote.add(2);
    const calls = cheap.events.filter((event) => event.type === 'Call');
    expect(calls[0]).toMatchObject({ direction: 'out', session: 'client' });
    expect(calls[0]!.fields).toMatchObject({ method: 'add', arguments: 1 });
    expect(calls[0]!.payload).toBeUndefined();
    const received = full.events.find((event) => event.type === 'Call' && event.direction === 'in');
    expect(received?.payload).toBeInstanceOf(Uint8Array);
    remote[Symbol.dispose]();
  });

  test('all messages of one turn travel in one frame', async () => {
    const { remote, connections } = served<ICalc>(new Calc());
    await remote.whenResolved();
    const original = connections[0].send.bind(connections[0]);
    let frames = 0;
    connections[0].send = (frame: Uint8Array) => {
      frames++;
      original(frame);
    };
    await Promise.all(Array.from({ length: 500 }, (_, index) => remote.add(index)));
    // 500 calls in one frame, then one frame of finishes.
    expect(frames).toBeLessThanOrEqual(3);
    connections[0].send = original;
    remote[Symbol.dispose]();
  });

  test('terminate tells the peer why, aborts pending values and releases exports', async () => {
    const host = new Calc();
    const root = proxy<ICalc>(host);
    const pair = sessionPair({ listenerRoot: root as Proxy<unknown>, unchecked: true });
    root[Symbol.dispose](); // the session holds its own reference
    const remote = pair.dialer.remoteRoot<ICalc>();
    await remote.whenResolved();
    const pending = remote.cloneLater(1000);
    await sleep(5);
    await pair.listener.terminate('server shutting down');
    const reason = await pair.dialer.closed;
    expect(reason).toMatchObject({ remote: true, code: 'closed', message: 'server shutting down' });
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(remote.add(1)).rejects.toBeInstanceOf(AbortedError);
    await sleep(5);
    expect(host.disposed).toBe(1);
    expect(pair.listener.stats()).toMatchObject({ questions: 0, answers: 0, imports: 0, exports: 0 });
  });
});
