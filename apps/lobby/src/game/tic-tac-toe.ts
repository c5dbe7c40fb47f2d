import type { Cell } from '../contracts.ts';
import type { Mark } from '../settings.ts';

/** How many marks in a row win on a board of `boardSize` (3 on 3×3, 4 on 4×4 and 5×5). */
export function winLength(boardSize: number): number {
  return Math.min(boardSize, 4);
}

/** An empty board of `boardSize`×`boardSize` cells. */
export function emptyBoard(boardSize: number): (Mark | null)[] {
  return Array.from({ length: boardSize * boardSize }, () => null);
}

/**
 * The winning line through `cell` (the cell just played), or `null`. Only lines through the last
 * move can have been completed by it, so this is all a game needs to check after each move.
 */
export function winningLine(board: readonly (Mark | null)[], boardSize: number, cell: Cell): Cell[] | null {
  const mark = board[cell];
  if (mark === null || mark === undefined) return null;
  const needed = winLength(boardSize);
  const row = Math.floor(cell / boardSize);
  const column = cell % boardSize;
  for (const [rowStep, columnStep] of [
    [0, 1],
    [1, 0],
    [1, 1],
    [1, -1],
  ] as const) {
    const line: Cell[] = [cell];
    for (const direction of [1, -1]) {
      let r = row + rowStep * direction;
      let c = column + columnStep * direction;
      while (r >= 0 && r < boardSize && c >= 0 && c < boardSize && board[r * boardSize + c] === mark) {
        line.push(r * boardSize + c);
        r += rowStep * direction;
        c += columnStep * direction;
      }
    }
    if (line.length >= needed) return line.sort((a, b) => a - b);
  }
  return null;
}

/** Whether every cell is taken. */
export function isFull(board: readonly (Mark | null)[]): boolean {
  return board.every((cell) => cell !== null);
}

/** The other mark. */
export function otherMark(mark: Mark): Mark {
  return mark === 'X' ? 'O' : 'X';
}

/**
 * A simple player for bots: win if possible, else block, else the centre, else the first free cell
 * from a rotating start (so two bots do not always play the same game).
 */
export function chooseMove(
  board: readonly (Mark | null)[],
  boardSize: number,
  mark: Mark,
  variety = 0,
): Cell {
  const free = board.flatMap((cell, index) => (cell === null ? [index] : []));
  if (free.length === 0) throw new RangeError('expected a board with a free cell, got a full one');
  for (const candidate of [mark, otherMark(mark)]) {
    for (const cell of free) {
      const trial = board.slice();
      trial[cell] = candidate;
      if (winningLine(trial, boardSize, cell) !== null) return cell;
    }
  }
  const centre = Math.floor(boardSize / 2) * boardSize + Math.floor(boardSize / 2);
  if (board[centre] === null && variety % 3 !== 2) return centre;
  return free[Math.abs(variety) % free.length]!;
}

/** The board as text, one line per row (`X . O`). */
export function renderBoard(board: readonly (Mark | null)[], boardSize: number): string[] {
  const lines: string[] = [];
  for (let row = 0; row < boardSize; row++) {
    lines.push(
      board
        .slice(row * boardSize, (row + 1) * boardSize)
        .map((cell) => cell ?? '.')
        .join(' '),
    );
  }
  return lines;
}
