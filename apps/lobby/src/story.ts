import type { GameEvent, LauncherEvent } from './contracts.ts';
import { renderBoard } from './game/tic-tac-toe.ts';
import { describeSettings, describeSettingsChange } from './settings.ts';

/** A launcher event as one readable line ("[lsn 4] bob: hi"). */
export function describeLauncherEvent(event: LauncherEvent): string {
  const stamp = `[lsn ${event.lsn}]`;
  switch (event.kind) {
    case 'snapshot': {
      const seated = event.slots
        .filter((slot) => slot.name !== null)
        .map((slot) => `${slot.name} (${slot.role})`);
      return `${stamp} game ${event.gameId} "${event.gameName}" (${event.phase}): ${describeSettings(event.settings)}; seated: ${seated.join(', ') || 'nobody'}`;
    }
    case 'joined':
      return `${stamp} ${event.name} joined slot ${event.slot} (${slotName(event.slot)})`;
    case 'left':
      return `${stamp} ${event.name} ${event.why === 'left' ? 'left' : 'dropped'} slot ${event.slot}`;
    case 'settings':
      return `${stamp} ${event.by} set ${describeSettingsChange(event.change)} (now ${describeSettings(event.settings)})`;
    case 'chat':
      return `${stamp} ${event.from}: ${event.text}${event.seenLsn < event.lsn - 1 ? `  (written having seen lsn ${event.seenLsn})` : ''}`;
    case 'launched':
      return `${stamp} ${event.by} launched the game`;
    case 'closed':
      return `${stamp} the game closed: ${event.reason}`;
  }
}

/** A game event as readable lines (a move shows the board). `board` is the board after the event. */
export function describeGameEvent(
  event: GameEvent,
  board: readonly ('X' | 'O' | null)[],
  boardSize: number,
): string[] {
  switch (event.kind) {
    case 'snapshot':
      return [
        `round ${event.round}, ${event.turn ?? 'nobody'} to move, score X ${event.score.X} : O ${event.score.O}`,
      ];
    case 'round-started':
      return [
        `round ${event.round} starts on ${event.boardSize}×${event.boardSize}; ${event.turn} moves first`,
      ];
    case 'moved':
      return [
        `${event.by} (${event.mark}) plays cell ${event.cell}:`,
        ...renderBoard(board, boardSize).map((row) => `    ${row}`),
      ];
    case 'round-ended':
      return [
        `round ${event.round}: ${event.winner === null ? 'a draw' : `${event.winner} wins (cells ${event.line.join(', ')})`}; score X ${event.score.X} : O ${event.score.O}`,
      ];
    case 'game-ended':
      return [`game over: ${event.message}`];
    case 'player-connection':
      return [describeSeatConnection(event)];
  }
}

/** A seat's connection change as one line ("ada (X) is reconnecting…"). */
export function describeSeatConnection(event: Extract<GameEvent, { kind: 'player-connection' }>): string {
  const who = `${event.name} (${event.role === 'spectator' ? 'watching' : event.role})`;
  switch (event.state) {
    case 'reconnecting':
      return `${who} lost the connection and is reconnecting…`;
    case 'reconnected':
      return `${who} reconnected`;
    case 'lost':
      return `${who} could not reconnect`;
  }
}

function slotName(slot: number): string {
  return slot === 0 ? 'X' : slot === 1 ? 'O' : 'spectator';
}
