import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AbortedError } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { joinSlot, launchWhenSeen, playToEnd } from '../src/client/bot.ts';
import { isLobbyError } from '../src/lobby-error.ts';
import { sipGameHost } from '../src/sip-game-host.ts';
import { eventually, launchedGame, seatedGame, startLobby, transportCases } from './harness.ts';

describe.each(transportCases)('the lobby over $name', (transportCase) => {
  test('five players race for one slot: exactly one wins, the others are told it is taken', async () => {
    const lobby = await startLobby(transportCase);
    const host = await lobby.connect('host');
    const game = host.createGame('race');
    await game.until((view) => view.lsn >= 0);
    const racers = await Promise.all(['p1', 'p2', 'p3', 'p4', 'p5'].map((name) => lobby.connect(name)));
    const views = racers.map((racer) => racer.openGame(game.gameId));
    await Promise.all(views.map((view) => view.until((current) => current.lsn >= 0)));
    const outcomes = await Promise.allSettled(views.map((view, index) => joinSlot(view, 1, `p${index + 1}`)));
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(isLobbyError(outcome.reason, 'slot-taken')).toBe(true);
    }
    // Every watcher saw the same single winner in the same place of the log.
    await game.until((view) => view.slots[1]?.name !== null);
    const winner = game.slots[1]!.name;
    await Promise.all(views.map((view) => view.until((current) => current.lsn === game.lsn)));
    for (const view of views) expect(view.slots[1]?.name).toBe(winner);
  });

  test('a slot given up by leave() is raced again, and again exactly one wins', async () => {
    const lobby = await startLobby(transportCase);
    const { views, seats } = await seatedGame(lobby);
    await seats[1].membership.leave();
    await views[0].until((view) => view.slots[1]?.name === null);
    const [carol, dave] = await Promise.all([lobby.connect('carol'), lobby.connect('dave')]);
    const carolView = carol.openGame(views[0].gameId);
    const daveView = dave.openGame(views[0].gameId);
    await Promise.all([carolView, daveView].map((view) => view.until((current) => current.lsn >= 0)));
    const outcomes = await Promise.allSettled([
      joinSlot(carolView, 1, 'carol'),
      joinSlot(daveView, 1, 'dave'),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    await expect(seats[1].membership.leave()).rejects.toMatchObject({
      name: 'LobbyError',
      code: 'not-member',
    });
  });

  test('a launch carrying an LSN older than the latest change is refused; after seeing it, it launches', async () => {
    const lobby = await startLobby(transportCase);
    const { views, seats } = await seatedGame(lobby);
    const [ada, bob] = views;
    const seen = ada.lsn;
    await bob.say('wait, one more thing');
    const error = await ada.launcher.tryLaunch(seen).catch((caught: unknown) => caught);
    expect(isLobbyError(error, 'stale-lsn')).toBe(true);
    await ada.until((view) => view.lsn > seen);
    await ada.launch();
    const players = await Promise.all([seats[0].launched, seats[1].launched]);
    expect(players.map((player) => player.info.role)).toEqual(['X', 'O']);
    for (const player of players) player[Symbol.dispose]();
  });

  test('settings changes are ordered by LSN: a change to what another player changed after you looked conflicts', async () => {
    const lobby = await startLobby(transportCase);
    const { views } = await seatedGame(lobby);
    const [ada, bob] = views;
    // ada pipelines two dependent changes on one launcher: the second needs the first (round 3).
    const first = ada.change({ kind: 'rounds', rounds: 3 });
    const second = ada.change({ kind: 'starter', round: 3, mark: 'O' });
    const [roundsLsn, starterLsn] = await Promise.all([first, second]);
    expect(starterLsn).toBe(roundsLsn + 1);
    await bob.until((view) => view.lsn === starterLsn);
    const seen = bob.lsn;
    await ada.change({ kind: 'starter', round: 2, mark: 'X' });
    const conflict = await bob.launcher
      .changeSettings(seen, { kind: 'starter', round: 2, mark: 'O' })
      .catch((caught: unknown) => caught);
    expect(isLobbyError(conflict, 'conflict')).toBe(true);
    // A change to another field still applies.
    await bob.launcher.changeSettings(seen, { kind: 'board-size', boardSize: 4 });
    await bob.until((view) => view.settings?.boardSize === 4);
    expect(bob.settings).toEqual({ rounds: 3, boardSize: 4, starters: ['X', 'X', 'O'] });
  });

  test('a player whose session ends before launch frees its slot for someone else', async () => {
    const lobby = await startLobby(transportCase);
    const { views, clients } = await seatedGame(lobby);
    await clients[1].close();
    await views[0].until((view) => view.slots[1]?.name === null);
    const event = views[0].slots[1];
    expect(event?.name).toBeNull();
    const carol = await lobby.connect('carol');
    const carolView = carol.openGame(views[0].gameId);
    await carolView.until((view) => view.lsn >= 0);
    await expect(joinSlot(carolView, 1, 'carol')).resolves.toMatchObject({ slot: 1 });
  });

  test('dropping the membership capability frees the slot, like leave()', async () => {
    const lobby = await startLobby(transportCase);
    const { views, seats } = await seatedGame(lobby);
    seats[1].membership[Symbol.dispose]();
    await views[0].until((view) => view.slots[1]?.name === null);
    expect(lobby.server.lobby.openGames[0]?.summary().openSlots).toEqual([1, 2, 3]);
  });

  test('a player killed mid-game (SIGKILL) frees its seat: the opponent wins by forfeit and the game SIP ends', async () => {
    const lobby = await startLobby(transportCase, sipGameHost());
    const ada = await lobby.connect('ada');
    const view = ada.createGame('doomed');
    await view.until((current) => current.lsn >= 0);
    const seat = await joinSlot(view, 0, 'ada');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@msc/source',
        fileURLToPath(new URL('./fixtures/player-process.ts', import.meta.url)),
        lobby.address,
        view.gameId,
        '1',
        'doomed',
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let output = '';
      let exited = false;
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', () => (exited = true));
      await eventually(() => output.includes('joined') || exited, 'the player process joined', 15_000);
      expect(exited).toBe(false);
      await view.until((current) => current.slots[1]?.name === 'doomed');
      await launchWhenSeen(view);
      const player = await seat.launched;
      await eventually(() => output.includes('launched'), 'the player process saw the game start');
      expect(lobby.server.lobby.runningGames).toHaveLength(1);
      child.kill('SIGKILL');
      const outcome = await player.outcome;
      expect(outcome).toMatchObject({ kind: 'ended', event: { reason: 'forfeit', winner: 'X' } });
      await eventually(() => lobby.server.lobby.runningGames.length === 0, 'the game SIP ended');
      player[Symbol.dispose]();
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a crash inside one game SIP aborts that game for its players, and nothing else', async () => {
    const lobby = await startLobby(transportCase, sipGameHost());
    const doomed = await launchedGame(lobby, ['ada', 'bob']);
    const healthy = await launchedGame(lobby, ['cy', 'dan']);
    const running = lobby.server.lobby.runningGames.find((game) => game.id === doomed.views[0].gameId)!;
    await running.hosted.root.crash('injected by the test');
    for (const player of doomed.players) {
      const outcome = await player.outcome;
      expect(outcome.kind).toBe('failed');
      expect((outcome as { error: unknown }).error).toBeInstanceOf(AbortedError);
      await expect(player.move(0)).rejects.toBeInstanceOf(AbortedError);
    }
    expect((await running.outcome).end.cause).toBe('crashed');
    // The other game plays on to its end, and the lobby keeps serving.
    const outcomes = await Promise.all(healthy.players.map((player, index) => playToEnd(player, index)));
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['ended', 'ended']);
    const eve = await lobby.connect('eve');
    const fresh = eve.createGame('after the crash');
    await fresh.until((view) => view.lsn >= 0);
    expect((await eve.listGames()).games.map((game) => game.name)).toContain('after the crash');
    for (const player of [...doomed.players, ...healthy.players]) player[Symbol.dispose]();
  });

  test("shutting the server down aborts every client's pending values", async () => {
    const lobby = await startLobby(transportCase);
    const game = await launchedGame(lobby);
    const watcher = await lobby.connect('watcher');
    const open = watcher.createGame('never launched');
    await open.until((view) => view.lsn >= 0);
    await lobby.server.close();
    for (const player of game.players) {
      const outcome = await player.outcome;
      expect(outcome.kind).toBe('failed');
      expect((outcome as { error: unknown }).error).toBeInstanceOf(AbortedError);
    }
    await expect(open.ended).rejects.toBeInstanceOf(AbortedError);
    await expect(watcher.lobby.listGames()).rejects.toBeInstanceOf(AbortedError);
    expect(lobby.server.lobby.runningGames).toHaveLength(0);
    expect(lobby.server.sessions).toHaveLength(0);
  });
});
