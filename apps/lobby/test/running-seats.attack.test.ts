// One key holding the seats of running games it never plays (review 4, finding 2): with no share
// per key, one player could fill maxRunningGames with self-played games and nobody else could
// launch. Seats (X and O) a key holds in running games are now bounded by maxRunningSeatsPerPlayer.
// End to end over TCP, in-process server and game host.
import { expect, test } from 'vitest';
import { type BotSeat, joinSlot, launchWhenSeen } from '../src/client/bot.ts';
import { inProcessGameHost } from '../src/in-process-game-host.ts';
import { eventually, seatedGame, startLobby, transportCases } from './harness.ts';

const tcp = transportCases[0]!;

test('one key cannot hold every running place with games it never plays; others can still launch', async () => {
  const lobby = await startLobby(tcp, inProcessGameHost(), {
    maxRunningGames: 3,
    maxRunningSeatsPerPlayer: 2,
  });
  const mallory = await lobby.connect('mallory');
  // A self-played game: X and O of one key count 2, the whole share.
  const first = mallory.createGame('idle 0');
  await first.until((current) => current.lsn >= 0);
  const held: BotSeat[] = [await joinSlot(first, 0, 'mallory'), await joinSlot(first, 1, 'mallory')];
  await launchWhenSeen(first);
  const [player] = await Promise.all(held.map((seat) => seat.launched));
  // Another one: taking X is refused, naming the limit; watching as a spectator is not.
  const second = mallory.createGame('idle 1');
  await second.until((current) => current.lsn >= 0);
  await expect(joinSlot(second, 0, 'mallory')).rejects.toMatchObject({
    code: 'limit',
    message: /fewer than 2 seats \(X or O\) in running games \(maxRunningSeatsPerPlayer\), but you hold 2/,
  });
  await joinSlot(second, 2, 'mallory');
  // Other players launch.
  const { views, seats } = await seatedGame(lobby, ['ada', 'bob']);
  await launchWhenSeen(views[0]);
  await Promise.all([seats[0].launched, seats[1].launched]);
  expect(lobby.server.lobby.runningGames).toHaveLength(2);
  // Once mallory's game ends, her seats are hers to take again.
  await player!.player.resign();
  await eventually(() => lobby.server.lobby.runningGames.length === 1, "mallory's game ended");
  await expect(joinSlot(second, 0, 'mallory')).resolves.toMatchObject({ slot: 0 });
});

test('seats taken in open games count at launch: the launch past the share is refused and the game stays open', async () => {
  const lobby = await startLobby(tcp, inProcessGameHost(), { maxRunningSeatsPerPlayer: 3 });
  const mallory = await lobby.connect('mallory');
  const games = [mallory.createGame('a'), mallory.createGame('b')];
  await Promise.all(games.map((game) => game.until((current) => current.lsn >= 0)));
  for (const game of games) {
    await joinSlot(game, 0, 'mallory');
    await joinSlot(game, 1, 'mallory');
  }
  await launchWhenSeen(games[0]!);
  await expect(launchWhenSeen(games[1]!)).rejects.toMatchObject({
    code: 'limit',
    message: /at most 3 seats .*\(maxRunningSeatsPerPlayer\), but mallory holds 2 and would take 2 more/,
  });
  expect(games[1]!.phase).toBe('open');
});
