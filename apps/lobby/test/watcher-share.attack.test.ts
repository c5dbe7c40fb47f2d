// One key against the watcher places (review 4, finding 1): a game has maxWatchersPerGame places
// and the lobby maxWatchers, first come, first served; without a share per key, one player could
// take them all and nobody else could open the game. End to end over TCP, in-process server.
import type { Sequence } from '@msc/eventual';
import { expect, test } from 'vitest';
import type { LauncherEvent } from '../src/contracts.ts';
import { eventually, startLobby, transportCases } from './harness.ts';

const tcp = transportCases[0]!;

/** The first event of each stream, or its refusal (the streams stay open and are never read again). */
function firstEvents(streams: readonly PromiseLike<Sequence<LauncherEvent>>[]) {
  return Promise.allSettled(streams.map(async (events) => (await events).read()));
}

function refusals(outcomes: readonly PromiseSettledResult<unknown>[]): unknown[] {
  return outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
}

test('one key holding many event streams of a game does not keep others out; its extra streams are refused with limit', async () => {
  const lobby = await startLobby(tcp);
  const [ada, mallory, bob] = await Promise.all([
    lobby.connect('ada'),
    lobby.connect('mallory'),
    lobby.connect('bob'),
  ]);
  const view = ada.createGame('friday');
  await view.until((current) => current.lsn >= 0);
  const launcher = mallory.lobby.openGame(view.gameId);
  const held = Array.from({ length: 31 }, () => launcher.events()); // never read past the snapshot
  const outcomes = await firstEvents(held);
  const refused = refusals(outcomes);
  expect(outcomes.length - refused.length).toBe(4);
  expect(refused).toHaveLength(27);
  for (const error of refused)
    expect(error).toMatchObject({ code: 'limit', message: /maxWatchersPerGamePerPlayer/ });
  await eventually(() => lobby.server.lobby.watcherBacklog.watchers === 5, "ada's view and mallory's 4");
  const bobView = bob.openGame(view.gameId);
  await bobView.until((current) => current.lsn >= 0);
  await bobView.join(1, 'bob', () => {});
  await view.until((current) => current.slots[1]?.name === 'bob');
});

test('strangers filling a game cannot keep its seat holders from watching it', async () => {
  const lobby = await startLobby(tcp, undefined, { maxWatchersPerGame: 8 });
  const ada = await lobby.connect('ada');
  const strangers = await Promise.all(['m1', 'm2', 'm3'].map((name) => lobby.connect(name)));
  const view = ada.createGame('friday');
  await view.until((current) => current.lsn >= 0);
  await view.join(0, 'ada', () => {});
  const streams = strangers.flatMap((stranger) => {
    const launcher = stranger.lobby.openGame(view.gameId);
    return Array.from({ length: 4 }, () => launcher.events());
  });
  const refused = refusals(await firstEvents(streams));
  // Ada's view took one of the 8 places: the strangers got the 7 others.
  expect(refused).toHaveLength(12 - 7);
  for (const error of refused)
    expect(error).toMatchObject({ code: 'limit', message: /maxWatchersPerGame\b/ });
  // Ada holds slot 0: a second view of her own is let in past the game's total.
  const again = ada.openGame(view.gameId);
  await again.until((current) => current.slots[0]?.name === 'ada');
});

test("one key's event streams across the lobby are bounded by maxWatchersPerPlayer", async () => {
  const lobby = await startLobby(tcp, undefined, { maxWatchersPerPlayer: 6 });
  const [ada, mallory, bob] = await Promise.all([
    lobby.connect('ada'),
    lobby.connect('mallory'),
    lobby.connect('bob'),
  ]);
  const games = [ada.createGame('one'), ada.createGame('two')];
  await Promise.all(games.map((game) => game.until((current) => current.lsn >= 0)));
  const streams = games.flatMap((game) => {
    const launcher = mallory.lobby.openGame(game.gameId);
    return Array.from({ length: 4 }, () => launcher.events());
  });
  const refused = refusals(await firstEvents(streams));
  expect(refused).toHaveLength(2);
  for (const error of refused)
    expect(error).toMatchObject({
      code: 'limit',
      message: /fewer than 6 event streams .*maxWatchersPerPlayer/,
    });
  const bobView = bob.openGame(games[1]!.gameId);
  await bobView.until((current) => current.lsn >= 0);
  // A stream that ends gives its place back.
  await (await streams[0]!).cancel();
  // Ada's 2 views, bob's, and mallory's 6 less the cancelled one.
  await eventually(
    () => lobby.server.lobby.watcherBacklog.watchers === 2 + 1 + 5,
    'the cancelled stream left',
  );
  const more = await mallory.lobby.openGame(games[1]!.gameId).events();
  expect((await more.read()).value).toMatchObject({ kind: 'snapshot' });
});
