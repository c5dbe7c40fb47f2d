/**
 * `@msc/lobby/bots`: the scripted players of the demo and the tests, for tools that load a lobby
 * with many of them (the reliability soak, the scale check).
 *
 * - {@link joinSlot} / {@link joinFirstFree}: take a slot of a game a `GameView` watches.
 * - {@link launchWhenSeen}: launch with the latest change seen, retrying when one arrives meanwhile.
 * - {@link playToEnd}: play a seat's moves until the game ends or fails.
 *
 * @example
 * ```ts
 * import { joinSlot, launchWhenSeen, playToEnd } from '@msc/lobby/bots';
 *
 * const seat = await joinSlot(game, 0, 'ada'); // game: a GameView from LobbyClient.createGame
 * await launchWhenSeen(game);
 * const outcome = await playToEnd(await seat.launched);
 * ```
 *
 * @packageDocumentation
 */
export { type BotSeat, joinFirstFree, joinSlot, launchWhenSeen, playToEnd } from './client/bot.ts';
