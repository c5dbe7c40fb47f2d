import { describe, expect, test } from 'vitest';
import { chooseMove, emptyBoard, winningLine } from '../src/game/tic-tac-toe.ts';
import { isLobbyError } from '../src/lobby-error.ts';
import { applySettingsChange, defaultSettings, settingsFields } from '../src/settings.ts';

describe('settings', () => {
  test('more rounds get alternating starters; fewer rounds drop the extra ones', () => {
    const three = applySettingsChange(defaultSettings, { kind: 'rounds', rounds: 3 });
    expect(three.starters).toEqual(['X', 'O', 'X']);
    const changed = applySettingsChange(three, { kind: 'starter', round: 3, mark: 'O' });
    expect(applySettingsChange(changed, { kind: 'rounds', rounds: 2 }).starters).toEqual(['X', 'O']);
  });

  test('a starter for a round that does not exist is refused (the data dependency the LSN check protects)', () => {
    let caught: unknown;
    try {
      applySettingsChange(defaultSettings, { kind: 'starter', round: 2, mark: 'O' });
    } catch (error) {
      caught = error;
    }
    expect(isLobbyError(caught, 'invalid-settings')).toBe(true);
  });

  test('out-of-range values are refused with what was expected', () => {
    expect(() => applySettingsChange(defaultSettings, { kind: 'board-size', boardSize: 9 })).toThrow(
      'expected boardSize to be an integer from 3 to 5, got 9',
    );
  });

  test('a starter change reads the round count; a rounds change writes the starters it drops', () => {
    const three = applySettingsChange(defaultSettings, { kind: 'rounds', rounds: 3 });
    expect(settingsFields(three, { kind: 'starter', round: 2, mark: 'O' })).toEqual({
      reads: ['rounds'],
      writes: ['starter:2'],
    });
    expect(settingsFields(three, { kind: 'rounds', rounds: 1 }).writes).toEqual([
      'rounds',
      'starter:2',
      'starter:3',
    ]);
  });
});

describe('tic-tac-toe rules', () => {
  test('three in a row wins on 3×3, four on 5×5', () => {
    const board = emptyBoard(3);
    board[0] = board[4] = board[8] = 'X';
    expect(winningLine(board, 3, 4)).toEqual([0, 4, 8]);
    const big = emptyBoard(5);
    big[0] = big[1] = big[2] = 'O';
    expect(winningLine(big, 5, 2)).toBeNull();
    big[3] = 'O';
    expect(winningLine(big, 5, 3)).toEqual([0, 1, 2, 3]);
  });

  test('the bot wins when it can, and blocks otherwise', () => {
    const board = emptyBoard(3);
    board[0] = board[1] = 'O';
    board[3] = board[4] = 'X';
    expect(chooseMove(board, 3, 'X')).toBe(5);
    expect(chooseMove(board, 3, 'O')).toBe(2);
  });
});
