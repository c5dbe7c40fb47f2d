import { LobbyError } from './lobby-error.ts';

/** A tic-tac-toe mark: slot 0 plays X, slot 1 plays O. */
export type Mark = 'X' | 'O';

/** The settings of a game, edited collaboratively in the launcher before launch. */
export interface GameSettings {
  /** How many rounds the match has (1–5). Default 1. */
  readonly rounds: number;
  /** The board's side (3–5 cells); a line of `min(boardSize, 4)` wins. Default 3. */
  readonly boardSize: number;
  /** Which mark moves first in each round; always exactly `rounds` entries. Default X, O, X, … */
  readonly starters: readonly Mark[];
}

/**
 * One settings change. `starter` depends on `rounds` (a round must exist to be configured): that
 * data dependency is what the launcher's LSN check protects (RPC2's lobby example).
 */
export type SettingsChange =
  | { readonly kind: 'rounds'; readonly rounds: number }
  | { readonly kind: 'board-size'; readonly boardSize: number }
  | { readonly kind: 'starter'; readonly round: number; readonly mark: Mark };

/** The limits of {@link GameSettings}. */
export const settingsLimits = { minRounds: 1, maxRounds: 5, minBoardSize: 3, maxBoardSize: 5 } as const;

/** The settings of a new game: one round on a 3×3 board, X starts. */
export const defaultSettings: GameSettings = { rounds: 1, boardSize: 3, starters: ['X'] };

/**
 * A settings change as the lobby accepts it, checked field by field before anything is computed
 * from it: a known `kind`, integers in range (so `rounds: -Infinity` or `NaN` never reaches a loop),
 * a mark `X` or `O`. Returns a fresh object with only the known fields.
 *
 * @throws LobbyError `invalid-settings` naming the field, what was expected and what came
 */
export function parseSettingsChange(value: unknown): SettingsChange {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LobbyError('invalid-settings', `expected a settings change object, got ${describe(value)}`);
  }
  const change = value as Record<string, unknown>;
  switch (change['kind']) {
    case 'rounds':
      checkInteger(change['rounds'], settingsLimits.minRounds, settingsLimits.maxRounds, 'rounds');
      return { kind: 'rounds', rounds: change['rounds'] as number };
    case 'board-size':
      checkInteger(
        change['boardSize'],
        settingsLimits.minBoardSize,
        settingsLimits.maxBoardSize,
        'boardSize',
      );
      return { kind: 'board-size', boardSize: change['boardSize'] as number };
    case 'starter': {
      checkInteger(change['round'], 1, settingsLimits.maxRounds, 'round');
      const mark = change['mark'];
      if (mark !== 'X' && mark !== 'O') {
        throw new LobbyError('invalid-settings', `expected mark 'X' or 'O', got ${describe(mark)}`);
      }
      return { kind: 'starter', round: change['round'] as number, mark };
    }
    default:
      throw new LobbyError(
        'invalid-settings',
        `expected a change of kind rounds, board-size or starter, got ${describe(change['kind'])}`,
      );
  }
}

/**
 * Applies `change` to `settings` and returns the new settings (the old object is not changed).
 *
 * @throws LobbyError `invalid-settings` when the change is out of range or names a round that does not exist
 */
export function applySettingsChange(settings: GameSettings, change: SettingsChange): GameSettings {
  switch (change.kind) {
    case 'rounds': {
      const { rounds } = change;
      checkInteger(rounds, settingsLimits.minRounds, settingsLimits.maxRounds, 'rounds');
      const starters = Array.from(
        { length: rounds },
        (_, index): Mark => settings.starters[index] ?? (index % 2 === 0 ? 'X' : 'O'),
      );
      return { ...settings, rounds, starters };
    }
    case 'board-size':
      checkInteger(change.boardSize, settingsLimits.minBoardSize, settingsLimits.maxBoardSize, 'boardSize');
      return { ...settings, boardSize: change.boardSize };
    case 'starter': {
      checkInteger(change.round, 1, settings.rounds, 'round');
      if (change.mark !== 'X' && change.mark !== 'O') {
        throw new LobbyError('invalid-settings', `expected mark 'X' or 'O', got ${String(change.mark)}`);
      }
      const starters = settings.starters.slice();
      starters[change.round - 1] = change.mark;
      return { ...settings, starters };
    }
    default:
      throw new LobbyError(
        'invalid-settings',
        `expected a change of kind rounds, board-size or starter, got ${String((change as { kind?: unknown }).kind)}`,
      );
  }
}

/**
 * The settings fields a change reads and writes (`change` must have passed
 * {@link parseSettingsChange}: the loop below runs up to `settings.rounds` from `change.rounds`). A change conflicts with a change another player
 * made to any of them after the LSN the changer saw: a `starter` change reads the round count that
 * makes its round exist, a `rounds` change writes the starters it drops.
 */
export function settingsFields(
  settings: GameSettings,
  change: SettingsChange,
): { readonly reads: string[]; readonly writes: string[] } {
  switch (change.kind) {
    case 'rounds': {
      const writes = ['rounds'];
      // Bounded whatever the change says: from at least round 1 up to the current round count.
      const first = Math.max(settingsLimits.minRounds, change.rounds) + 1;
      for (let round = first; round <= settings.rounds; round++) writes.push(`starter:${round}`);
      return { reads: [], writes };
    }
    case 'board-size':
      return { reads: [], writes: ['boardSize'] };
    case 'starter':
      return { reads: ['rounds'], writes: [`starter:${change.round}`] };
    default:
      return { reads: [], writes: [] };
  }
}

/** A one-line, human-readable description of a change ("rounds to 3"). */
export function describeSettingsChange(change: SettingsChange): string {
  switch (change.kind) {
    case 'rounds':
      return `rounds to ${change.rounds}`;
    case 'board-size':
      return `board to ${change.boardSize}×${change.boardSize}`;
    case 'starter':
      return `round ${change.round} starter to ${change.mark}`;
    default:
      return 'unknown change';
  }
}

/** A one-line, human-readable description of settings ("2 rounds on 3×3, starters X O"). */
export function describeSettings(settings: GameSettings): string {
  const rounds = settings.rounds === 1 ? '1 round' : `${settings.rounds} rounds`;
  return `${rounds} on ${settings.boardSize}×${settings.boardSize}, starters ${settings.starters.join(' ')}`;
}

function checkInteger(value: unknown, min: number, max: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LobbyError(
      'invalid-settings',
      `expected ${what} to be an integer from ${min} to ${max}, got ${describe(value)}`,
    );
  }
}

/** A short description of a value for an error message (never the whole of a long string). */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
