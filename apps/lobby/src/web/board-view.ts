/*
 * A game board as a grid of buttons, one per cell (3×3 to 5×5): a cell is a real button, enabled
 * only when it is the player's turn and the cell is free, and named for screen readers by its row,
 * column and mark. The cells of a winning line carry the `win` class (and say so in their names).
 * Buttons are made once per board size and updated in place, so a move keeps the keyboard focus.
 */
import type { Cell } from '../contracts.ts';
import type { Mark } from '../settings.ts';

/** What the board shows. */
export interface BoardState {
  readonly board: readonly (Mark | null)[];
  readonly boardSize: number;
  /** Whether free cells may be clicked now (the player's turn, no move in flight). */
  readonly playable: boolean;
  /** The cells of the winning line to highlight (empty for none). */
  readonly winning: readonly Cell[];
}

/** A board drawn into `container` (an element styled as a grid by the page's `.board` rules). */
export class BoardView {
  readonly #container: HTMLElement;
  readonly #onMove: ((cell: Cell) => void) | undefined;
  readonly #testIdPrefix: string;
  #cells: HTMLButtonElement[] = [];
  #size = 0;

  /**
   * @param onMove - called with the cell a player clicked; none for a board that only shows
   * @param testIdPrefix - the cells' `data-testid` prefix (`cell-` gives `cell-0` … `cell-8`)
   */
  constructor(container: HTMLElement, onMove?: (cell: Cell) => void, testIdPrefix = 'cell-') {
    this.#container = container;
    this.#onMove = onMove;
    this.#testIdPrefix = testIdPrefix;
  }

  /** Draws `state`. */
  render(state: BoardState): void {
    if (state.boardSize !== this.#size) this.#build(state.boardSize);
    const winning = new Set(state.winning);
    this.#container.classList.toggle('has-win', winning.size > 0);
    state.board.forEach((mark, cell) => {
      const button = this.#cells[cell];
      if (button === undefined) return;
      const row = Math.floor(cell / state.boardSize) + 1;
      const column = (cell % state.boardSize) + 1;
      button.textContent = mark ?? '';
      button.className = `cell${mark === null ? '' : ` mark-${mark.toLowerCase()}`}${winning.has(cell) ? ' win' : ''}`;
      button.disabled = this.#onMove === undefined || !state.playable || mark !== null;
      button.setAttribute(
        'aria-label',
        `row ${row}, column ${column}: ${mark ?? 'empty'}${winning.has(cell) ? ', winning line' : ''}`,
      );
    });
  }

  #build(size: number): void {
    this.#size = size;
    this.#container.classList.remove('size-3', 'size-4', 'size-5');
    this.#container.classList.add(`size-${size}`);
    this.#cells = Array.from({ length: size * size }, (_, cell) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset['testid'] = `${this.#testIdPrefix}${cell}`;
      button.dataset['cell'] = String(cell);
      if (this.#onMove !== undefined) {
        const onMove = this.#onMove;
        button.addEventListener('click', () => onMove(cell));
      }
      return button;
    });
    this.#container.replaceChildren(...this.#cells);
  }
}
