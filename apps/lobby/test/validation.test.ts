// The lobby validates before it computes: argument schemas on every capability, the text rules,
// the limits on games and watchers, paging, and watcher backlogs counted whatever window the
// consumer declared. In-process (local proxies go through the same validators as remote calls).
import { type Proxy, proxy } from '@msc/eventual';
import { afterEach, describe, expect, test } from 'vitest';
import { ClientLauncher } from '../src/client/game-view.ts';
import type { IClientLauncher, IGameLauncher, ILobby, LauncherEvent } from '../src/contracts.ts';
import { inProcessGameHost } from '../src/in-process-game-host.ts';
import { LauncherGame } from '../src/launcher-game.ts';
import { Lobby } from '../src/lobby.ts';
import { isLobbyError } from '../src/lobby-error.ts';
import { type defaultLobbyLimits, lobbyLimits } from '../src/lobby-limits.ts';
import {
  applySettingsChange,
  defaultSettings,
  parseSettingsChange,
  settingsFields,
} from '../src/settings.ts';
import { checkText, cleanText, printable } from '../src/text-rules.ts';
import { BacklogBudget } from '../src/watcher-backlog.ts';

const lobbies: Lobby[] = [];
afterEach(async () => {
  for (const lobby of lobbies.splice(0)) await lobby.close();
});

function newLobby(limits: Partial<typeof defaultLobbyLimits> = {}): Lobby {
  const lobby = new Lobby({ gameHost: inProcessGameHost(), limits });
  lobbies.push(lobby);
  return lobby;
}

const peer = (name: string) => ({ name, fingerprint: `fp-${name}` });
const client = (): Proxy<IClientLauncher> => proxy<IClientLauncher>(new ClientLauncher(() => {}));

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

/** A launcher facet of a new game, with slot 0 held by `name`. */
async function joinedLauncher(root: Proxy<ILobby>, name = 'ada'): Promise<Proxy<IGameLauncher>> {
  const launcher = root.createGame('a game');
  const membership = launcher.tryJoin(0, name, client());
  await membership.whenResolved();
  return launcher;
}

describe('settings changes are validated before anything is computed from them', () => {
  test.each([
    ['-Infinity rounds', { kind: 'rounds', rounds: Number.NEGATIVE_INFINITY }],
    ['NaN rounds', { kind: 'rounds', rounds: Number.NaN }],
    ['1e308 rounds', { kind: 'rounds', rounds: 1e308 }],
    ['2.5 rounds', { kind: 'rounds', rounds: 2.5 }],
    ['rounds as text', { kind: 'rounds', rounds: '3' }],
    ['a board of Infinity', { kind: 'board-size', boardSize: Number.POSITIVE_INFINITY }],
    ['a starter for round -1', { kind: 'starter', round: -1, mark: 'X' }],
    ['a starter mark Z', { kind: 'starter', round: 1, mark: 'Z' }],
    ['an unknown kind', { kind: 'speed', speed: 3 }],
    ['an array', ['rounds', 3]],
    ['null', null],
  ])('%s is refused with invalid-settings', (_what, change) => {
    let caught: unknown;
    try {
      parseSettingsChange(change);
    } catch (error) {
      caught = error;
    }
    expect(isLobbyError(caught, 'invalid-settings')).toBe(true);
  });

  test('parsing keeps only the known fields', () => {
    expect(parseSettingsChange({ kind: 'rounds', rounds: 3, extra: 'x'.repeat(100) })).toEqual({
      kind: 'rounds',
      rounds: 3,
    });
  });

  test('a call refused by its schema releases the capabilities in its arguments at once', async () => {
    const lobby = newLobby();
    const launcher = lobby.rootFor(peer('ada')).createGame('a game');
    const released: string[] = [];
    class Tracked extends ClientLauncher implements Disposable {
      readonly #name: string;
      constructor(name: string) {
        super(() => {});
        this.#name = name;
      }
      [Symbol.dispose](): void {
        released.push(this.#name);
      }
    }
    const direct = proxy<IClientLauncher>(new Tracked('client'));
    const nested = proxy<IClientLauncher>(new Tracked('nested'));
    expect(await rejection(launcher.tryJoin(99, 'ada', direct).whenResolved())).toMatchObject({
      name: 'ArgumentError',
    });
    expect(await rejection(launcher.chat(0, { text: [nested] } as unknown as string))).toMatchObject({
      name: 'ArgumentError',
    });
    // Our own references are the last ones: the calls' copies were released when refused.
    direct[Symbol.dispose]();
    nested[Symbol.dispose]();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(released.sort()).toEqual(['client', 'nested']);
  });

  test('settingsFields stays bounded even when handed an unchecked -Infinity', () => {
    const three = applySettingsChange(defaultSettings, { kind: 'rounds', rounds: 3 });
    const started = performance.now();
    const fields = settingsFields(three, { kind: 'rounds', rounds: Number.NEGATIVE_INFINITY });
    expect(performance.now() - started).toBeLessThan(50);
    expect(fields.writes).toEqual(['rounds', 'starter:2', 'starter:3']);
  });

  test('changeSettings(-Infinity) through the launcher rejects with ArgumentError at once, and the lobby still answers', async () => {
    const lobby = newLobby();
    const root = lobby.rootFor(peer('ada'));
    const launcher = await joinedLauncher(root);
    const started = performance.now();
    const error = await rejection(
      launcher.changeSettings(0, { kind: 'rounds', rounds: Number.NEGATIVE_INFINITY }),
    );
    expect(error).toMatchObject({ name: 'ArgumentError', code: 'invalid-arguments' });
    expect(error.message).toMatch(/change: expected rounds to be an integer from 1 to 5, got -Infinity/);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await root.whoAmI()).toEqual({ name: 'ada', fingerprint: 'fp-ada' });
    // A direct call (not through a proxy) is refused by the game itself.
    const [game] = lobby.openGames;
    expect(() => game!.changeSettings({}, 0, { kind: 'rounds', rounds: Number.NaN })).toThrow();
  });

  test.each([
    ['a negative LSN', [-1, { kind: 'rounds', rounds: 2 }]],
    ['an LSN of Infinity', [Number.POSITIVE_INFINITY, { kind: 'rounds', rounds: 2 }]],
    ['an LSN as text', ['0', { kind: 'rounds', rounds: 2 }]],
    ['a missing change', [0]],
    ['an extra argument', [0, { kind: 'rounds', rounds: 2 }, 'extra']],
  ])('changeSettings with %s is refused by its schema', async (_what, args) => {
    const lobby = newLobby();
    const launcher = await joinedLauncher(lobby.rootFor(peer('ada')));
    const change = launcher.changeSettings as (...args: unknown[]) => Promise<number>;
    expect(await rejection(change(...args))).toMatchObject({ name: 'ArgumentError' });
  });
});

describe('text rules', () => {
  test('names are NFC, without controls, bidi or zero-width characters, white space collapsed', () => {
    expect(cleanText('  jos\u0065\u0301 \u200b\u202e\u001b[2J\tthe\u00a0 \u2066great\u2069 ')).toBe(
      'jos\u00e9 [2J the great',
    );
    expect(checkText('\u200b\u200d\u202e', 24, 'a player name')).toEqual({
      problem:
        'expected a player name of 1 to 24 visible characters, got 0 (after removing control and invisible characters)',
    });
    expect(checkText('x'.repeat(25), 24, 'a player name')).toMatchObject({ problem: /got 25/ });
    expect(checkText(42, 24, 'a player name')).toEqual({
      problem: 'expected a player name (a string), got number',
    });
  });

  test('a string far over the limit is refused before it is normalised', () => {
    // The length check answers (in UTF-16 units) before any normalisation or cleaning runs.
    const huge = 'e\u0301'.repeat(500_000);
    expect(checkText(huge, 200, 'a chat line')).toEqual({
      problem: 'expected a chat line of 1 to 200 characters, got 1000000 UTF-16 units',
    });
  });

  test('printable() takes escapes and line breaks out of log lines', () => {
    expect(printable('eve\u001b[31m said\r\nhi\u0007  there')).toBe('eve[31m said  hi  there');
  });

  test('names and chat reach other players cleaned; what cleans to nothing is refused', async () => {
    const lobby = newLobby();
    const root = lobby.rootFor(peer('ada'));
    const launcher = root.createGame('\u001b]0;pwned\u0007 my \u202egame');
    const events = launcher.events();
    const membership = launcher.tryJoin(0, 'ev\u200be\u001b[2J', client());
    await membership.whenResolved();
    await launcher.chat(1, 'hello\u001b[1A\r\nworld\u202e');
    expect(await rejection(launcher.chat(2, '\u200b\u001b'))).toMatchObject({ name: 'ArgumentError' });
    const seen: LauncherEvent[] = [];
    for await (const event of events) {
      seen.push(event);
      if (seen.length === 3) break;
    }
    expect(seen[0]).toMatchObject({ kind: 'snapshot', gameName: ']0;pwned my game' });
    expect(seen[1]).toMatchObject({ kind: 'joined', name: 'eve[2J' });
    expect(seen[2]).toMatchObject({ kind: 'chat', text: 'hello[1A world' });
    expect((await root.listGames()).games[0]?.name).toBe(']0;pwned my game');
  });

  test('tryJoin with a client that is not a capability is refused by its schema', async () => {
    const lobby = newLobby();
    const launcher = lobby.rootFor(peer('ada')).createGame('g');
    const tryJoin = launcher.tryJoin as (...args: unknown[]) => Proxy<unknown>;
    expect(await rejection(tryJoin(0, 'ada', { launch: 1 }).whenResolved())).toMatchObject({
      name: 'ArgumentError',
    });
    expect(await rejection(tryJoin(7, 'ada', client()).whenResolved())).toMatchObject({
      message: /slot: expected a slot: an integer from 0 to 3, got 7/,
    });
  });
});

describe('games are bounded per player and in total, and listed a page at a time', () => {
  test('a player past maxOpenGamesPerPlayer is refused with limit; launching or closing frees a place', async () => {
    const lobby = newLobby({ maxOpenGamesPerPlayer: 2 });
    const root = lobby.rootFor(peer('ada'));
    const first = root.createGame('one');
    await first.whenResolved();
    await root.createGame('two').whenResolved();
    const error = await rejection(root.createGame('three').whenResolved());
    expect(error).toMatchObject({ name: 'LobbyError', code: 'limit' });
    expect(error.message).toMatch(/maxOpenGamesPerPlayer/);
    // Another player is not affected.
    await lobby.rootFor(peer('bob')).createGame('bob’s').whenResolved();
    // Nobody holds the first game any more: it closes, and ada may create again.
    first[Symbol.dispose]();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await root.createGame('three').whenResolved();
  });

  test('the lobby past maxOpenGames refuses everyone with limit', async () => {
    const lobby = newLobby({ maxOpenGames: 3 });
    const held = [];
    for (const name of ['a', 'b', 'c']) {
      const launcher = lobby.rootFor(peer(name)).createGame(name);
      await launcher.whenResolved();
      held.push(launcher);
    }
    expect(await rejection(lobby.rootFor(peer('d')).createGame('d').whenResolved())).toMatchObject({
      code: 'limit',
      message: /maxOpenGames/,
    });
  });

  test('listGames pages with a cursor, never more than maxPageSize, each game once', async () => {
    const lobby = newLobby({ maxPageSize: 4, defaultPageSize: 3 });
    const held = [];
    for (let index = 0; index < 10; index++) {
      const launcher = lobby.rootFor(peer(`p${index}`)).createGame(`game ${index}`);
      await launcher.whenResolved();
      held.push(launcher);
    }
    const root = lobby.rootFor(peer('reader'));
    expect((await root.listGames()).games).toHaveLength(3);
    const names: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<ILobby['listGames']>> = await root.listGames({ after, limit: 4 });
      expect(page.games.length).toBeLessThanOrEqual(4);
      names.push(...page.games.map((game) => game.name));
      after = page.next;
      pages++;
    } while (after !== null);
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: 10 }, (_, index) => `game ${index}`));
    const list = root.listGames as (...args: unknown[]) => Promise<unknown>;
    for (const bad of [{ limit: 5 }, { limit: 0 }, { after: 'x' }, { after: 'g1', more: 1 }, 'g1']) {
      expect(await rejection(list(bad)), JSON.stringify(bad)).toMatchObject({ name: 'ArgumentError' });
    }
  });

  test('maxRunningGames refuses a launch with limit before the game commits to it', async () => {
    const lobby = newLobby({ maxRunningGames: 1 });
    const launch = async (name: string) => {
      const root = lobby.rootFor(peer(name));
      const launcher = root.createGame(name);
      await launcher.tryJoin(0, `${name}-x`, client()).whenResolved();
      await launcher.tryJoin(1, `${name}-o`, client()).whenResolved();
      return launcher.tryLaunch(2);
    };
    await launch('first');
    expect(await rejection(launch('second'))).toMatchObject({ code: 'limit', message: /maxRunningGames/ });
    expect(lobby.openGames.map((game) => game.name)).toEqual(['second']);
  });

  test('lobbyLimits refuses overrides that are not positive integers', () => {
    expect(() => lobbyLimits({ maxOpenGames: -1 })).toThrow(RangeError);
    expect(() => lobbyLimits({ maxOpenGames: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => lobbyLimits({ nope: 1 } as never)).toThrow(/expected a lobby limit/);
  });
});

describe('watchers are bounded in number and backlog, whatever window they declared', () => {
  const hooks = { beforeLaunch() {}, launch: async () => {}, unlist() {} };

  test('a watcher that declared a window of a billion and never reads is aborted at maxWatcherBacklogItems', async () => {
    const budget = new BacklogBudget(lobbyLimits({ maxWatcherBacklogItems: 16 }));
    const game = new LauncherGame('g1', 'g', 'ada', hooks, budget);
    const via = {};
    game.join(via, peer('ada'), 0, 'ada', client(), { active: true });
    const stalled = game.watch();
    stalled.capacity = 1_000_000_000;
    const reader = game.watch();
    for (let index = 0; index < 40; index++) {
      game.chat(via, game.lsn, `line ${index}`);
      // The reader keeps up; the stalled watcher never reads.
      while (reader.tryRead() !== undefined) {}
    }
    const error = await rejection(
      (async () => {
        for (;;) await stalled.read();
      })(),
    );
    expect(error).toMatchObject({ name: 'AbortedError' });
    expect((error as { cause?: unknown }).cause).toMatchObject({
      code: 'limit',
      message: /maxWatcherBacklogItems 16/,
    });
    expect(budget.watchers.size).toBe(1);
    expect(budget.bytes).toBeLessThan(2_000);
  });

  test('bytes are bounded per watcher and across the lobby', () => {
    const budget = new BacklogBudget(
      lobbyLimits({ maxWatcherBacklogBytes: 4_000, maxBacklogBytes: 6_000, maxWatcherBacklogItems: 1_000 }),
    );
    const game = new LauncherGame('g1', 'g', 'ada', hooks, budget);
    const via = {};
    game.join(via, peer('ada'), 0, 'ada', client(), { active: true });
    const first = game.watch();
    const second = game.watch();
    for (const events of [first, second]) events.capacity = 1_000_000_000;
    for (let index = 0; index < 30; index++) game.chat(via, game.lsn, 'x'.repeat(150));
    expect(budget.watchers.size).toBe(0);
    expect(budget.bytes).toBe(0);
  });

  test("the lobby-wide limit counts only what is unread: events other games' watchers took do not refuse a write", async () => {
    const budget = new BacklogBudget(lobbyLimits({ maxBacklogBytes: 5_400, maxWatcherBacklogBytes: 4_000 }));
    const busy = new LauncherGame('g1', 'busy', 'ada', hooks, budget);
    const busyVia = {};
    busy.join(busyVia, peer('ada'), 0, 'ada', client(), { active: true });
    const readers = Array.from({ length: 8 }, () => busy.watch());
    busy.chat(busyVia, busy.lsn, 'x'.repeat(200));
    // Every reader takes everything; their counts are brought up to date only when needed.
    for (const reader of readers) while (reader.tryRead() !== undefined) {}
    // Counts may be stale for a moment after a fresh count of all watchers (see settleAll).
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(budget.bytes).toBeGreaterThan(5_000);
    const quiet = new LauncherGame('g2', 'quiet', 'bob', hooks, budget);
    const quietVia = {};
    const watcher = quiet.watch();
    quiet.join(quietVia, peer('bob'), 0, 'bob', client(), { active: true });
    quiet.chat(quietVia, quiet.lsn, 'y'.repeat(200));
    expect(budget.watchers.size).toBe(9);
    const events: string[] = [];
    for (let read = watcher.tryRead(); read !== undefined && !read.done; read = watcher.tryRead())
      events.push(read.value.kind);
    expect(events).toEqual(['snapshot', 'joined', 'chat']);
  });

  test('maxWatchersPerGame and maxWatchers refuse another events() with limit', async () => {
    const lobby = newLobby({ maxWatchersPerGame: 2, maxWatchers: 3 });
    const launcher = lobby.rootFor(peer('ada')).createGame('g');
    const firstEvent = async (events: AsyncIterable<LauncherEvent>) => {
      for await (const event of events) return event;
      return undefined;
    };
    const streams = [await launcher.events(), await launcher.events()];
    for (const stream of streams) expect((await stream.read()).value).toMatchObject({ kind: 'snapshot' });
    expect(await rejection(firstEvent(launcher.events()))).toMatchObject({
      code: 'limit',
      message: /maxWatchersPerGame/,
    });
    const other = lobby.rootFor(peer('bob')).createGame('h');
    const third = await other.events();
    expect(await rejection(firstEvent(other.events()))).toMatchObject({
      code: 'limit',
      message: /maxWatchers\b/,
    });
    // A watcher that ends makes room at once.
    third.cancel();
    expect(await firstEvent(other.events())).toMatchObject({ kind: 'snapshot' });
  });
});
