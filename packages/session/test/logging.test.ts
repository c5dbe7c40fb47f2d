import { proxy } from '@msc/eventual';
import type { LogEvent, Logger } from '@msc/transport';
import { type MemoryConnection, memory } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import { AuthenticationError, type Authenticator, Scope, Session, unauthenticated } from '../src/index.ts';
import { sleep } from './harness.ts';

interface Entry {
  readonly level: 'info' | 'warn';
  readonly event: LogEvent;
  readonly message: string;
}

/** A logger that keeps what it is told. */
function recordingLogger(): Logger & { readonly entries: Entry[] } {
  const entries: Entry[] = [];
  return {
    entries,
    info: (event, message) => void entries.push({ level: 'info', event, message }),
    warn: (event, message) => void entries.push({ level: 'warn', event, message }),
  };
}

/** Waits until `logger` holds an entry for `event` (a session's end is reported after it settles). */
async function entryFor(logger: { readonly entries: Entry[] }, event: string): Promise<Entry> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const entry = logger.entries.find((candidate) => candidate.event.event === event);
    if (entry !== undefined) return entry;
    await sleep(5);
  }
  throw new Error(`no ${event} event; got ${JSON.stringify(logger.entries)}`);
}

interface ISlow {
  wait(milliseconds: number): Promise<number>;
}

class Slow implements ISlow {
  async wait(milliseconds: number) {
    await sleep(milliseconds);
    return milliseconds;
  }
}

describe('a scope logger', () => {
  test('console and a pino-shaped logger plug in as they are', () => {
    const asConsole: Logger = console;
    // pino's LogFn: (object, message?, ...args) or (message, ...args).
    type PinoLogFn = {
      <T extends object>(object: T, message?: string, ...args: unknown[]): void;
      (message: string, ...args: unknown[]): void;
    };
    const pinoLike: { info: PinoLogFn; warn: PinoLogFn; level: string } = {
      info: () => {},
      warn: () => {},
      level: 'info',
    };
    const asPino: Logger = pinoLike;
    expect([asConsole, asPino]).toHaveLength(2);
  });

  test("an authenticator's refusal is session-refused on both sides, with the remote address", async () => {
    const refusing: Authenticator<string> = {
      scheme: 'test',
      async authenticate(context) {
        if (context.role === 'listener') throw new AuthenticationError('refused', 'you are not on the list');
        return 'server';
      },
    };
    const transport = memory();
    const serverLog = recordingLogger();
    const clientLog = recordingLogger();
    await using server = new Scope({ transport, authenticator: refusing, logger: serverLog });
    await server.listen('memory:logging-refused');
    await using client = new Scope({ transport, authenticator: refusing, logger: clientLog });
    await expect(client.session('memory:logging-refused')).rejects.toThrow('you are not on the list');
    const refused = await entryFor(serverLog, 'session-refused');
    expect(refused).toMatchObject({
      level: 'warn',
      event: {
        step: 'authentication',
        code: 'refused',
        message: 'you are not on the list',
        remote: false,
        role: 'listener',
        remoteAddress: expect.stringMatching(/^memory:/),
      },
    });
    expect(refused.message).toMatch(/^session-refused: listener memory:\S+: you are not on the list$/);
    expect(await entryFor(clientLog, 'session-refused')).toMatchObject({
      event: { remote: true, role: 'dialer', remoteAddress: 'memory:logging-refused' },
    });
  });

  test('a full listener logs each refused connection; a handshake that never comes logs handshake-failed (timeout)', async () => {
    const transport = memory();
    const log = recordingLogger();
    await using server = new Scope({
      transport,
      authenticator: unauthenticated(),
      maxPendingSessions: 1,
      limits: { handshakeTimeoutMs: 100 },
      logger: log,
    });
    await server.listen('memory:logging-full');
    // Two peers that connect and never say hello: the second finds the listener full.
    const silent = [await transport.dial('memory:logging-full'), await transport.dial('memory:logging-full')];
    for (const connection of silent) connection.start({ frame() {}, closed() {} });
    const refused = await entryFor(log, 'session-refused');
    expect(refused).toMatchObject({
      level: 'warn',
      event: {
        limit: 'maxPendingSessions',
        value: 1,
        role: 'listener',
        remoteAddress: silent[1]!.localAddress,
      },
    });
    expect(refused.message).toContain('(maxPendingSessions); try again later');
    const timedOut = await entryFor(log, 'handshake-failed');
    expect(timedOut).toMatchObject({
      level: 'warn',
      event: { code: 'timeout', remote: false, remoteAddress: silent[0]!.localAddress },
    });
    for (const connection of silent) connection.abort(new Error('test over'));
  });

  test('a peer with no protocol version in common logs handshake-failed (version-mismatch)', async () => {
    const transport = memory();
    const log = recordingLogger();
    await using server = new Scope({ transport, authenticator: unauthenticated(), logger: log });
    await server.listen('memory:logging-version');
    const peer = new Session({
      connection: await transport.dial('memory:logging-version'),
      role: 'dialer',
      authenticator: unauthenticated(),
      versions: [7],
    });
    await peer.closed;
    expect(await entryFor(log, 'handshake-failed')).toMatchObject({
      level: 'warn',
      event: { step: 'version', code: 'version-mismatch', remote: false },
      message: expect.stringMatching(/^handshake-failed: listener memory:\S+: no protocol version in common/),
    });
  });

  test('a peer past maxAnswers logs limit-hit with the limit and its value; the peer logs it from its side', async () => {
    const transport = memory();
    const serverLog = recordingLogger();
    const clientLog = recordingLogger();
    await using server = new Scope({
      transport,
      authenticator: unauthenticated(),
      root: proxy<ISlow>(new Slow()),
      limits: { maxAnswers: 2 },
      logger: serverLog,
    });
    await server.listen('memory:logging-limit');
    await using client = new Scope({ transport, authenticator: unauthenticated(), logger: clientLog });
    using remote = client.connect<ISlow>('memory:logging-limit');
    const calls = await Promise.allSettled([1, 2, 3, 4, 5].map(() => remote.wait(200)));
    expect(calls.some((call) => call.status === 'rejected')).toBe(true);
    const hit = await entryFor(serverLog, 'limit-hit');
    expect(hit).toMatchObject({
      level: 'warn',
      event: {
        limit: 'maxAnswers',
        value: 2,
        step: 'session',
        code: 'limit',
        remote: false,
        role: 'listener',
      },
    });
    expect(hit.message).toMatch(
      /^limit-hit: listener memory:\S+: the peer has more than 2 calls outstanding$/,
    );
    expect(await entryFor(clientLog, 'limit-hit')).toMatchObject({
      event: { remote: true, role: 'dialer', code: 'limit', step: 'session' },
      message: 'limit-hit: dialer memory:logging-limit: the peer has more than 2 calls outstanding',
    });
  });

  test('a connection lost after establishment is session-failed at level info; a clean close logs nothing', async () => {
    const transport = memory();
    const log = recordingLogger();
    await using server = new Scope({
      transport,
      authenticator: unauthenticated(),
      root: proxy<ISlow>(new Slow()),
      logger: log,
    });
    await server.listen('memory:logging-lost');
    // A clean session first: nothing is logged for it.
    await using client = new Scope({ transport, authenticator: unauthenticated() });
    const clean = await client.session('memory:logging-lost');
    await clean.terminate('bye');
    const connection = (await transport.dial('memory:logging-lost')) as MemoryConnection;
    const peer = new Session({ connection, role: 'dialer', authenticator: unauthenticated() });
    await peer.established;
    expect(await peer.remoteRoot<ISlow>().wait(1)).toBe(1);
    connection.breakNow();
    const lost = await entryFor(log, 'session-failed');
    expect(lost).toMatchObject({
      level: 'info',
      event: { step: 'session', code: 'connection-lost', remote: true },
    });
    expect(log.entries).toHaveLength(1);
  });

  test('a logger that throws breaks neither the listener nor the scope', async () => {
    const transport = memory();
    const throwing: Logger = {
      info() {
        throw new Error('log disk full');
      },
      warn() {
        throw new Error('log disk full');
      },
    };
    await using server = new Scope({
      transport,
      authenticator: unauthenticated(),
      root: proxy<ISlow>(new Slow()),
      maxPendingSessions: 1,
      logger: throwing,
    });
    await server.listen('memory:logging-throwing');
    const silent = [
      await transport.dial('memory:logging-throwing'),
      await transport.dial('memory:logging-throwing'),
    ];
    for (const connection of silent) connection.start({ frame() {}, closed() {} });
    await sleep(20);
    expect(server.stats().refused).toBe(1);
    for (const connection of silent) connection.abort(new Error('test over'));
    await sleep(20);
    await using client = new Scope({ transport, authenticator: unauthenticated() });
    using remote = client.connect<ISlow>('memory:logging-throwing');
    expect(await remote.wait(1)).toBe(1);
  });
});
