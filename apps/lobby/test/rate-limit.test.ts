// Rate limits on chat and settings changes: token buckets per launcher and per player, refusals
// that name the limit and the wait, and a per-player table that forgets idle players. In-process,
// with a clock the test moves (the loopback attack is in lobby.attack.test.ts).
import { type Proxy, proxy } from '@msc/eventual';
import { afterEach, describe, expect, test } from 'vitest';
import { ClientLauncher } from '../src/client/game-view.ts';
import type { IClientLauncher, IGameLauncher, ILobby } from '../src/contracts.ts';
import { inProcessGameHost } from '../src/in-process-game-host.ts';
import { Lobby } from '../src/lobby.ts';
import { defaultLobbyLimits, lobbyLimits } from '../src/lobby-limits.ts';
import { LobbyRateLimits } from '../src/rate-limit.ts';
import { SessionRates } from '../src/session-rates.ts';
import { TokenBucket } from '../src/token-bucket.ts';

const lobbies: Lobby[] = [];
afterEach(async () => {
  for (const lobby of lobbies.splice(0)) await lobby.close();
});

const peer = (name: string) => ({ name, fingerprint: `fp-${name}` });
const client = (): Proxy<IClientLauncher> => proxy<IClientLauncher>(new ClientLauncher(() => {}));

async function rejection(promise: PromiseLike<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

/** A new game created by `root`, with `slot` held through its launcher. */
async function seat(root: Proxy<ILobby>, name: string, slot = 0): Promise<Proxy<IGameLauncher>> {
  const launcher = root.createGame(`${name}'s game`);
  await launcher.tryJoin(slot, name, client()).whenResolved();
  return launcher;
}

describe('a token bucket', () => {
  test('gives its burst at once, then one token per 1/rate seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(5, 3, () => now);
    for (let index = 0; index < 3; index++) {
      expect(bucket.waitMs()).toBe(0);
      bucket.take();
    }
    expect(bucket.waitMs()).toBe(200);
    now += 150;
    expect(bucket.waitMs()).toBe(50);
    now += 50;
    expect(bucket.waitMs()).toBe(0);
    bucket.take();
    expect(bucket.full).toBe(false);
    now += 10_000;
    expect(bucket.full).toBe(true);
    // It never holds more than its burst, however long it waited.
    for (let index = 0; index < 3; index++) bucket.take();
    expect(bucket.waitMs()).toBeGreaterThan(0);
  });
});

describe('chat and settings changes are rate limited per launcher and per player', () => {
  test('the launcher past chatBurst is refused with limit, naming the limit and the wait; settings have their own bucket', async () => {
    const lobby = new Lobby({
      gameHost: inProcessGameHost(),
      limits: { chatLinesPerSecond: 1, chatBurst: 3, settingsBurst: 2, settingsChangesPerSecond: 1 },
    });
    lobbies.push(lobby);
    const launcher = await seat(lobby.rootFor(peer('ada')), 'ada');
    const said = await Promise.allSettled(Array.from({ length: 6 }, () => launcher.chat(1, 'hi')));
    expect(said.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    const refusal = (said[3] as PromiseRejectedResult).reason;
    expect(refusal).toMatchObject({ name: 'LobbyError', code: 'limit' });
    expect(refusal.message).toMatch(
      /too many chat lines: a launcher may send 1 a second \(chatLinesPerSecond\) in bursts of 3 \(chatBurst\); wait \d+ ms/,
    );
    // Refused calls took nothing, and settings changes count on their own.
    expect(await launcher.changeSettings(1, { kind: 'rounds', rounds: 3 })).toBeGreaterThan(1);
    await launcher.changeSettings(1, { kind: 'board-size', boardSize: 4 });
    expect(await rejection(launcher.changeSettings(1, { kind: 'rounds', rounds: 2 }))).toMatchObject({
      code: 'limit',
      message: /settingsChangesPerSecond/,
    });
  });

  test("a player's launchers share one bucket: more launchers do not buy more lines", async () => {
    const lobby = new Lobby({
      gameHost: inProcessGameHost(),
      limits: { playerActionsPerSecond: 1, playerActionBurst: 11, maxOpenGamesPerPlayer: 4 },
    });
    lobbies.push(lobby);
    const root = lobby.rootFor(peer('mallory'));
    // The three joins take 2 tokens each (a join pays for its leave): 5 of the burst of 11 are left.
    const launchers = await Promise.all([seat(root, 'm1'), seat(root, 'm2'), seat(root, 'm3')]);
    const said = await Promise.allSettled(
      launchers.flatMap((launcher) => [1, 2, 3].map(() => launcher.chat(1, 'x'))),
    );
    expect(said.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    const refused = said.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    for (const outcome of refused) {
      expect(outcome.reason).toMatchObject({ code: 'limit', message: /a player .*playerActionsPerSecond/ });
    }
    // Another player is not held back by mallory.
    const other = await seat(lobby.rootFor(peer('bob')), 'bob');
    expect(await other.chat(1, 'hello')).toBeGreaterThan(0);
  });

  test('the per-player table forgets players whose bucket is full again', () => {
    let now = 0;
    const rates = new LobbyRateLimits(lobbyLimits(), () => now);
    for (let index = 0; index < 5_000; index++) {
      rates.launcher(`fp-${index}`).take('chat');
      now += 1_000; // every earlier player's bucket is full again by the next one
    }
    expect(rates.players).toBeLessThanOrEqual(1_024);
  });

  test('the defaults are documented ones, and overrides must be positive integers', () => {
    expect(defaultLobbyLimits).toMatchObject({
      chatLinesPerSecond: 5,
      chatBurst: 10,
      settingsChangesPerSecond: 5,
      settingsBurst: 10,
      seatChangesPerSecond: 2,
      seatChangesBurst: 8,
      playerActionsPerSecond: 10,
      playerActionBurst: 20,
      listGamesPerSecond: 20,
      listGamesBurst: 60,
    });
    expect(() => lobbyLimits({ chatLinesPerSecond: 0 })).toThrow(RangeError);
    expect(() => lobbyLimits({ chatBurst: 1.5 })).toThrow(RangeError);
  });
});

describe('joins and leaves are rate limited per launcher and per player', () => {
  test('a launcher cycling a slot is refused with limit past seatChangesBurst; a join pays for its leave', async () => {
    const lobby = new Lobby({
      gameHost: inProcessGameHost(),
      limits: { seatChangesPerSecond: 1, seatChangesBurst: 6 },
    });
    lobbies.push(lobby);
    const host = await seat(lobby.rootFor(peer('ada')), 'ada');
    const [game] = lobby.openGames;
    const launcher = lobby.rootFor(peer('mallory')).openGame(game!.id);
    const cycled: PromiseSettledResult<void>[] = [];
    for (let index = 0; index < 6; index++)
      cycled.push(...(await Promise.allSettled([launcher.tryJoin(2, 'm', client()).leave()])));
    // 6 tokens: 3 joins, each with its leave.
    expect(cycled.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    const refused = cycled.filter(
      (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
    );
    for (const outcome of refused) {
      expect(outcome.reason).toMatchObject({
        name: 'LobbyError',
        code: 'limit',
        message:
          /too many joins and leaves .*: a launcher may send 1 a second \(seatChangesPerSecond\) in bursts of 6 \(seatChangesBurst\); wait \d+ ms/,
      });
    }
    // 1 (ada's join) + 3 joins and 3 leaves: the refused ones changed nothing.
    expect(game!.lsn).toBe(7);
    // The host is not held back: it joins and launches with the latest LSN.
    await host.tryJoin(1, 'ada-o', client()).whenResolved();
    await host.tryLaunch(8);
    expect(lobby.runningGames).toHaveLength(1);
  });

  test("a player's joins share its key's bucket across launchers", async () => {
    const lobby = new Lobby({
      gameHost: inProcessGameHost(),
      limits: { playerActionsPerSecond: 1, playerActionBurst: 4 },
    });
    lobbies.push(lobby);
    await seat(lobby.rootFor(peer('ada')), 'ada');
    const [game] = lobby.openGames;
    const root = lobby.rootFor(peer('mallory'));
    const launchers = [1, 2, 3].map(() => root.openGame(game!.id));
    const joined = await Promise.allSettled(
      launchers.map((launcher, index) => launcher.tryJoin(index + 1, 'm', client()).whenResolved()),
    );
    expect(joined.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((joined[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'limit',
      message: /a player .*playerActionsPerSecond/,
    });
  });
});

describe('listGames is rate limited per session', () => {
  test('a session past listGamesBurst is refused with limit, naming the limit and the wait; another session is not', async () => {
    const lobby = new Lobby({
      gameHost: inProcessGameHost(),
      limits: { listGamesPerSecond: 1, listGamesBurst: 4 },
    });
    lobbies.push(lobby);
    const flooder = lobby.rootFor(peer('mallory'));
    await seat(flooder, 'mallory');
    const pages = await Promise.allSettled(
      Array.from({ length: 50 }, () => flooder.listGames({ limit: 50 })),
    );
    const answered = pages.filter((outcome) => outcome.status === 'fulfilled');
    expect(answered).toHaveLength(4);
    expect((answered[0] as PromiseFulfilledResult<{ games: unknown[] }>).value.games).toHaveLength(1);
    const refusal = (pages[4] as PromiseRejectedResult).reason;
    expect(refusal).toMatchObject({ name: 'LobbyError', code: 'limit' });
    expect(refusal.message).toMatch(
      /too many listGames calls: a session may ask for 1 pages a second \(listGamesPerSecond\) in bursts of 4 \(listGamesBurst\); wait \d+ ms/,
    );
    // The bucket is the session's: another session of the same key starts full.
    const again = lobby.rootFor(peer('mallory'));
    expect((await again.listGames()).games).toHaveLength(1);
  });

  test('refused calls take no token: the session gets a page again once the rate allows', () => {
    let now = 0;
    const rates = new SessionRates(lobbyLimits({ listGamesPerSecond: 10, listGamesBurst: 2 }), () => now);
    rates.takeList();
    rates.takeList();
    for (let index = 0; index < 100; index++) expect(() => rates.takeList()).toThrow(/wait 100 ms/);
    now += 100;
    rates.takeList();
    expect(() => rates.takeList()).toThrow(/listGamesBurst/);
  });
});
