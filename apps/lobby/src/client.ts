/**
 * `@msc/lobby/client`: a player's side of the lobby as a library, for tools that drive players (the
 * reliability soak) and for other front ends.
 *
 * - {@link LobbyClient}: one authenticated session to a lobby server and its `ILobby` root.
 * - {@link GameView}: a live view of one game's launcher (slots, chat, settings), from which a player
 *   joins.
 * - {@link PlayerView}: a seat in a running game; {@link GameOutcome} says how the game ended for it.
 *
 * @example
 * ```ts
 * import { Identity } from '@msc/identity';
 * import { LobbyClient } from '@msc/lobby/client';
 * import { tcp } from '@msc/transport-tcp';
 *
 * const identity = await Identity.generate({ name: 'ada' });
 * const client = LobbyClient.connect({ identity, transport: tcp(), address: 'tcp:127.0.0.1:7000' });
 * const game = client.createGame('friday night');
 * ```
 *
 * @packageDocumentation
 */
export { ClientLauncher, GameView, type LaunchHandler } from './client/game-view.ts';
export { LobbyClient, type LobbyClientOptions } from './client/lobby-client.ts';
export { type GameOutcome, PlayerView } from './client/player-view.ts';
export type { GamePage, GamePageRequest, GameSummary } from './contracts.ts';
