// The lobby's TCP endpoint attacked over loopback, in a real server process (so an attack that
// ends the process shows up as a failed assertion, not as a dead test runner): a settings change
// that once froze the event loop, game floods, a chat flood from one player (rate limits), control
// characters, and sessions that ask for large answers and never read them. After each: the process lives, a bystander's call is answered
// promptly, and memory stays under a stated bound. Bounded in time and count.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Proxy, proxy } from '@msc/eventual';
import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import { afterEach, describe, expect, test } from 'vitest';
import { ClientLauncher } from '../src/client/game-view.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import type { IClientLauncher } from '../src/contracts.ts';
import { delay } from '../src/delay.ts';
import { eventually } from './harness.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

const clients: LobbyClient[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
});

async function player(server: ServerProcess, name: string): Promise<LobbyClient> {
  const client = LobbyClient.connect({
    identity: await Identity.generate({ name }),
    transport: tcp(),
    address: server.tcp,
  });
  clients.push(client);
  await client.ready();
  return client;
}

/** How long the server takes to answer a bystander's call, in milliseconds. */
async function bystanderLatency(bystander: LobbyClient): Promise<number> {
  const started = performance.now();
  await bystander.lobby.whoAmI();
  return performance.now() - started;
}

async function rejection(
  promise: PromiseLike<unknown>,
): Promise<{ name?: string; code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name?: string; code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

/** A client capability for tryJoin (these games are never launched). */
const noClient = (): Proxy<IClientLauncher> => proxy<IClientLauncher>(new ClientLauncher(() => {}));

/** Members held until the end of the test (dropping one would free its slot). */
const memberships: Proxy<unknown>[] = [];
afterEach(() => {
  for (const membership of memberships.splice(0)) membership[Symbol.dispose]();
});

/** Joins `slot` through `launcher` and holds the membership for the rest of the test. */
async function hold(membership: Proxy<unknown>): Promise<void> {
  memberships.push(membership);
  await membership.whenResolved();
}

/** Bystander latency bound: generous, the test machine is shared (2 cores, many processes). */
const promptMs = 5_000;

describe('the lobby server process under hostile players (TCP, loopback)', () => {
  test('changeSettings with rounds -Infinity is refused at once; the event loop never stalls', async () => {
    const server = await startServerProcess();
    const [attacker, bystander] = await Promise.all([player(server, 'mallory'), player(server, 'bob')]);
    const launcher = attacker.lobby.createGame('trap');
    await hold(launcher.tryJoin(0, 'mallory', noClient()));
    for (const rounds of [Number.NEGATIVE_INFINITY, Number.NaN, 1e308, -1]) {
      const started = performance.now();
      const error = await rejection(launcher.changeSettings(0, { kind: 'rounds', rounds }));
      expect(error, String(rounds)).toMatchObject({ name: 'ArgumentError', code: 'invalid-arguments' });
      expect(performance.now() - started).toBeLessThan(promptMs);
    }
    expect(await bystanderLatency(bystander)).toBeLessThan(promptMs);
    expect(server.alive()).toBe(true);
  }, 60_000);

  test('games are bounded per player and in total; listGames answers one bounded page', async () => {
    const server = await startServerProcess({ lobbyLimits: { maxOpenGames: 24, maxOpenGamesPerPlayer: 4 } });
    const bystander = await player(server, 'bob');
    const attackers = await Promise.all(Array.from({ length: 8 }, (_, index) => player(server, `m${index}`)));
    const outcomes = await Promise.allSettled(
      attackers.flatMap((attacker) =>
        Array.from({ length: 6 }, (_, game) =>
          attacker.lobby.createGame(`${'flood '.repeat(6)}${game}`.slice(0, 40)).whenResolved(),
        ),
      ),
    );
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(outcomes.length - refused.length).toBe(24);
    for (const outcome of refused) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ name: 'LobbyError', code: 'limit' });
    }
    const messages = refused.map((outcome) => String((outcome as PromiseRejectedResult).reason.message));
    expect(messages.some((message) => message.includes('maxOpenGamesPerPlayer'))).toBe(true);
    expect(messages.some((message) => message.includes('(maxOpenGames)'))).toBe(true);

    const first = await bystander.listGames();
    expect(first.games).toHaveLength(20);
    expect(JSON.stringify(first).length).toBeLessThan(20 * 1024);
    const second = await bystander.listGames({ after: first.next });
    expect(second.games).toHaveLength(4);
    expect(second.next).toBeNull();
    expect(new Set([...first.games, ...second.games].map((game) => game.id)).size).toBe(24);
    expect(await rejection(bystander.listGames({ limit: 10_000 }))).toMatchObject({ name: 'ArgumentError' });
    expect(server.alive()).toBe(true);
  }, 60_000);

  test('control characters in names and chat reach neither other players nor the server log', async () => {
    const server = await startServerProcess();
    const [attacker, bystander] = await Promise.all([player(server, 'mallory'), player(server, 'bob')]);
    const launcher = attacker.lobby.createGame('\u001b]0;owned\u0007\u202egame\u200b');
    await hold(launcher.tryJoin(0, 'mal\u001b[2Jlory\u202e', noClient()));
    await launcher.chat(1, 'hi\u001b[1A\r\nthere\u2066\u0000');
    const [listed] = (await bystander.listGames()).games;
    expect(listed?.name).toBe(']0;ownedgame');
    const view = bystander.openGame(listed!.id);
    await view.until((current) => current.chat.length === 1);
    expect(view.chat[0]).toMatchObject({ from: 'mal[2Jlory', text: 'hi[1A there' });
    expect(view.slots[0]?.name).toBe('mal[2Jlory');
    const log = server.output();
    expect(log).toContain('created game');
    // No control character but the line breaks between log lines, no bidi or zero-width character.
    expect(log.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u200b\u202a-\u202e\u2066-\u2069]/u);
  }, 60_000);

  test('sessions that ask for large answers and never read are ended; the server stays small and prompt', async () => {
    const server = await startServerProcess({
      // The listGames rate limit (rate-limit.test.ts) would refuse most of these calls: lifted here, this
      // checks what bounds a session's unread answers whatever their source.
      lobbyLimits: { maxOpenGamesPerPlayer: 60, listGamesPerSecond: 100_000, listGamesBurst: 100_000 },
      maxBufferedBytesTotal: 24 * 1024 * 1024,
    });
    const bystander = await player(server, 'bob');
    const creator = await player(server, 'carol');
    for (let index = 0; index < 50; index++)
      await creator.lobby
        .createGame(`${'a long enough game name '.repeat(2)}`.slice(0, 36) + index)
        .whenResolved();
    const startBytes = server.residentBytes();
    const attacker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@msc/source',
        fileURLToPath(new URL('./fixtures/stalled-reader.ts', import.meta.url)),
        server.tcp,
        '8',
        '1500',
        'list',
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let output = '';
      attacker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await eventually(() => output.includes('stopping'), 'the attacker sent its calls and stopped', 60_000);
      let peak = server.residentBytes();
      // Every stalled session is ended (by its own buffered-bytes limit or the server's output budget).
      await eventually(
        () => {
          peak = Math.max(peak, server.residentBytes());
          return (server.output().match(/stalled-\d+ \(.*\) disconnected/g) ?? []).length === 8;
        },
        'the server ended all 8 stalled sessions',
        60_000,
      );
      expect(server.alive()).toBe(true);
      expect(await bystanderLatency(bystander)).toBeLessThan(promptMs);
      expect(server.output()).toMatch(/not reading|output budget/);
      // 8 sessions asked for 12,000 pages (about 150 MB of answers); the server held a bounded part.
      expect(peak - startBytes).toBeLessThan(400 * 1024 * 1024);
    } finally {
      attacker.kill('SIGKILL');
    }
  }, 120_000);

  test('one player flooding chat is refused with limit; an honest watcher with the default window keeps up and a bystander game is unaffected', async () => {
    const server = await startServerProcess();
    const [attacker, watcher, host, guest] = await Promise.all([
      player(server, 'mallory'),
      player(server, 'bob'),
      player(server, 'carol'),
      player(server, 'dave'),
    ]);
    const flooded = attacker.lobby.createGame('flooded');
    await hold(flooded.tryJoin(0, 'mallory', noClient()));
    const calm = host.lobby.createGame('calm');
    await hold(calm.tryJoin(0, 'carol', noClient()));
    // The honest watcher reads at its own pace with the default window (64): nothing paces the flood.
    const honest = watcher.openGame('g1');
    const bystander = guest.openGame('g2');
    await Promise.all([honest.until((view) => view.lsn >= 1), bystander.until((view) => view.lsn >= 1)]);

    // Flood for 3 s: batches of 200 chat calls, each batch sent as soon as the last is answered.
    const line = 'x'.repeat(200);
    let accepted = 0;
    let sent = 0;
    let lastLsn = 1;
    const refusals = new Set<string>();
    const started = performance.now();
    const flood = (async () => {
      while (performance.now() - started < 3_000) {
        const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => flooded.chat(1, line)));
        sent += outcomes.length;
        for (const outcome of outcomes) {
          if (outcome.status === 'fulfilled') {
            accepted++;
            lastLsn = Math.max(lastLsn, outcome.value);
          } else {
            expect(outcome.reason).toMatchObject({ name: 'LobbyError', code: 'limit' });
            refusals.add(String(outcome.reason.message).replace(/\d+ ms/, 'N ms'));
          }
        }
      }
    })();
    // Meanwhile the bystander game chats at a human pace, and its watcher sees each line promptly.
    for (let index = 0; index < 5; index++) {
      const said = performance.now();
      const lsn = await calm.chat(1, `line ${index}`);
      await bystander.until((view) => view.lsn >= lsn, promptMs);
      expect(performance.now() - said).toBeLessThan(promptMs);
      await delay(300);
    }
    await flood;
    const seconds = (performance.now() - started) / 1000;

    // The flood was refused past the launcher's burst (10) and rate (5 a second).
    expect(sent).toBeGreaterThan(1_000);
    expect(accepted).toBeLessThanOrEqual(10 + Math.ceil(5 * seconds) + 1);
    expect(accepted).toBeGreaterThanOrEqual(10);
    expect([...refusals]).toEqual([
      'too many chat lines: a launcher may send 5 a second (chatLinesPerSecond) in bursts of 10 (chatBurst); wait N ms',
    ]);
    // The honest watcher saw every accepted line and was never dropped.
    await honest.until((view) => view.lsn >= lastLsn, 30_000);
    expect(honest.chat.filter((said) => said.from === 'mallory')).toHaveLength(accepted);
    expect(server.output()).not.toMatch(/dropped a watcher/);
    expect(bystander.chat.map((said) => said.text)).toEqual([
      'line 0',
      'line 1',
      'line 2',
      'line 3',
      'line 4',
    ]);
    expect(await bystanderLatency(guest)).toBeLessThan(promptMs);
    expect(server.alive()).toBe(true);
  }, 120_000);

  test('watchers that declare a huge window and never read are ended; the game and a reading watcher carry on', async () => {
    // A server tuned for a busy game: chat up to 300 lines a second per player. Nothing paces the
    // flood for the honest watcher; the rate limit is what keeps it within a reader's reach.
    const rate = {
      chatLinesPerSecond: 300,
      chatBurst: 100,
      playerActionsPerSecond: 300,
      playerActionBurst: 100,
    };
    // The attacker's 4 keys open 8 watchers each (32 in all): more than a key's default share of a game.
    const server = await startServerProcess({
      lobbyLimits: { maxWatchersPerGame: 40, maxWatchersPerGamePerPlayer: 8, ...rate },
    });
    const host = await player(server, 'carol');
    const bystander = await player(server, 'bob');
    const launcher = host.lobby.createGame('watched');
    await hold(launcher.tryJoin(0, 'carol', noClient()));
    const reader = bystander.openGame('g1');
    await reader.until((view) => view.lsn >= 1);
    let linesSeen = 0;
    reader.onEvent((event) => {
      if (event.kind === 'chat') linesSeen++;
    });
    const attacker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@msc/source',
        fileURLToPath(new URL('./fixtures/stalled-reader.ts', import.meta.url)),
        server.tcp,
        '4',
        '8',
        'watch',
        'g1',
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let output = '';
      attacker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await eventually(
        () => output.includes('stopping'),
        'the attacker opened its watchers and stopped',
        60_000,
      );
      const startBytes = server.residentBytes();
      let peak = startBytes;
      // Each of the 32 stalled watchers ends: dropped by the lobby's backlog guard, or with its
      // whole session when the session's output limit is reached first.
      const ended = () =>
        (server.output().match(/dropped a watcher: the watcher fell behind/g) ?? []).length +
        8 * (server.output().match(/stalled-\d+ \(.*\) disconnected/g) ?? []).length;
      // Flood in batches of 100 calls until every stalled watcher is gone (bounded: 90 s); calls
      // past the rate are refused with limit.
      const line = 'x'.repeat(200);
      let lsn = 1;
      let accepted = 0;
      const started = performance.now();
      while (performance.now() - started < 90_000 && ended() < 32) {
        const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => launcher.chat(1, line)));
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toMatchObject({
              code: 'limit',
              message: /chatLinesPerSecond|playerActions/,
            });
          } else {
            accepted++;
            lsn = Math.max(lsn, outcome.value);
          }
        }
        peak = Math.max(peak, server.residentBytes());
      }
      await eventually(() => ended() >= 32, 'all 32 stalled watchers ended', 10_000);
      expect(server.alive()).toBe(true);
      expect(await bystanderLatency(bystander)).toBeLessThan(promptMs);
      // The honest watcher (default window, never waited for) saw every accepted line (its view
      // keeps only the newest 50: count them as they come).
      await reader.until((view) => view.lsn === lsn, 30_000);
      expect(linesSeen).toBe(accepted);
      // ... and is still watching: one more line reaches it.
      await delay(1_000);
      const last = await launcher.chat(lsn, 'still there?');
      await reader.until((view) => view.lsn === last, 10_000);
      // 32 watchers × every line would be 200 MB and more; the server held a bounded part.
      expect(peak - startBytes).toBeLessThan(200 * 1024 * 1024);
    } finally {
      attacker.kill('SIGKILL');
    }
  }, 180_000);
});
