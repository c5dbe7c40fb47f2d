import type { Proxy } from '@msc/eventual';
import type { IJoinedPlayer, IPlayer, LaunchInfo } from '../contracts.ts';
import { chooseMove } from '../game/tic-tac-toe.ts';
import { isLobbyError } from '../lobby-error.ts';
import type { GameView } from './game-view.ts';
import { type GameOutcome, PlayerView } from './player-view.ts';

/** A seat a bot won: its membership, and its game once launched. */
export interface BotSeat {
  readonly slot: number;
  /** The membership; dispose it (or `leave()`) to give the slot up before launch. */
  readonly membership: Proxy<IJoinedPlayer>;
  /** Resolves with the seat's view once the server launched the game. */
  readonly launched: Promise<PlayerView>;
}

/**
 * Joins `slot` of the game `view` watches as `name`. Rejects with `LobbyError` `slot-taken` when
 * another player won the slot.
 */
export async function joinSlot(view: GameView, slot: number, name: string): Promise<BotSeat> {
  let resolveLaunched!: (player: PlayerView) => void;
  const launched = new Promise<PlayerView>((resolve) => {
    resolveLaunched = resolve;
  });
  const membership = await view.join(slot, name, (player: Proxy<IPlayer>, info: LaunchInfo) =>
    resolveLaunched(new PlayerView(player, info)),
  );
  return { slot, membership, launched };
}

/**
 * Joins the first free slot of `preferred` (in order) that this bot wins; a lost race moves on to
 * the next one. Rejects when every preferred slot was lost.
 */
export async function joinFirstFree(
  view: GameView,
  preferred: readonly number[],
  name: string,
): Promise<BotSeat> {
  let lastError: unknown = new Error('expected at least one slot to try');
  for (const slot of preferred) {
    try {
      return await joinSlot(view, slot, name);
    } catch (error) {
      if (!isLobbyError(error, 'slot-taken')) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Launches with the latest LSN seen; when the launcher refuses because a change arrived meanwhile
 * (`stale-lsn`), waits until the view has seen it and tries again (at most `attempts` times).
 */
export async function launchWhenSeen(view: GameView, attempts = 10): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const seen = view.lsn;
    try {
      await view.launch();
      return;
    } catch (error) {
      if (!isLobbyError(error, 'stale-lsn') || attempt >= attempts) throw error;
      await view.until((current) => current.lsn > seen);
    }
  }
}

/**
 * Plays a seat until the game ends: whenever it is this seat's turn, plays {@link chooseMove}.
 * Spectators just watch. Resolves with the outcome (a crash shows up as `failed` with `AbortedError`).
 */
export async function playToEnd(player: PlayerView, variety = 0): Promise<GameOutcome> {
  let moves = 0;
  const play = () => {
    if (!player.myTurn) return;
    const cell = chooseMove(player.board, player.boardSize, player.info.role as 'X' | 'O', variety + moves++);
    // A refusal here is a race with the end of the game (the other seat resigned or left); a crash
    // or a lost session shows up in the outcome, so the move's own failure needs no handling.
    player.move(cell).catch(() => {});
  };
  const stop = player.onEvent(play);
  play();
  try {
    return await player.outcome;
  } finally {
    stop();
  }
}
