import type { Proxy } from '@msc/eventual';
import type { Cell, GameEvent, IPlayer, LaunchInfo, Score } from '../contracts.ts';
import type { Mark } from '../settings.ts';

/** How a game ended for a client: the final event, or the error that ended its stream (a crash). */
export type GameOutcome =
  | { readonly kind: 'ended'; readonly event: Extract<GameEvent, { kind: 'game-ended' }> }
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * A client's live view of its seat in a running game: it reads the game's events, keeps the board,
 * and says when it is this seat's turn. Owns the `IPlayer` capability: disposing the view releases
 * the seat (a player then forfeits).
 */
export class PlayerView implements Disposable {
  readonly player: Proxy<IPlayer>;
  readonly info: LaunchInfo;
  #board: (Mark | null)[] = [];
  #boardSize = 3;
  #round = 1;
  #turn: Mark | null = null;
  #score: Score = { X: 0, O: 0 };
  readonly #reconnecting = new Set<number>();
  readonly #listeners = new Set<(event: GameEvent, view: PlayerView) => void>();
  /** Settles (never rejects) when the game's event stream ended. */
  readonly outcome: Promise<GameOutcome>;

  /** Takes ownership of `player` and starts reading the game's events. */
  constructor(player: Proxy<IPlayer>, info: LaunchInfo) {
    this.player = player;
    this.info = info;
    this.outcome = this.#read();
  }

  get board(): readonly (Mark | null)[] {
    return this.#board;
  }
  get boardSize(): number {
    return this.#boardSize;
  }
  get round(): number {
    return this.#round;
  }
  get turn(): Mark | null {
    return this.#turn;
  }
  get score(): Score {
    return this.#score;
  }
  /** The seats whose player is reconnecting now (its connection dropped; the game waits for it). */
  get reconnecting(): ReadonlySet<number> {
    return this.#reconnecting;
  }
  /** Whether this seat is to move now. */
  get myTurn(): boolean {
    return this.#turn !== null && this.#turn === this.info.role;
  }

  /** Calls `listener` for every event from now on (including the snapshot when added at once); returns how to stop. */
  onEvent(listener: (event: GameEvent, view: PlayerView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Plays `cell`. Rejects with `GameError` for an illegal move, `AbortedError` when the game is gone. */
  move(cell: Cell): Promise<void> {
    return this.player.move(cell);
  }

  /** Releases the seat. */
  [Symbol.dispose](): void {
    this.player[Symbol.dispose]();
  }

  async #read(): Promise<GameOutcome> {
    try {
      let last: GameOutcome | undefined;
      for await (const event of this.player.events()) {
        this.#apply(event);
        if (event.kind === 'game-ended') last = { kind: 'ended', event };
        for (const listener of this.#listeners) listener(event, this);
      }
      return last ?? { kind: 'failed', error: new Error('the game ended without a result') };
    } catch (error) {
      return { kind: 'failed', error };
    }
  }

  #apply(event: GameEvent): void {
    switch (event.kind) {
      case 'snapshot':
        this.#board = event.board.slice();
        this.#boardSize = event.boardSize;
        this.#round = event.round;
        this.#turn = event.turn;
        this.#score = event.score;
        this.#reconnecting.clear();
        // Absent from a server older than the event (the snapshot then says nothing about it).
        for (const slot of event.reconnecting ?? []) this.#reconnecting.add(slot);
        break;
      case 'round-started':
        this.#board = Array.from({ length: event.boardSize * event.boardSize }, () => null);
        this.#boardSize = event.boardSize;
        this.#round = event.round;
        this.#turn = event.turn;
        break;
      case 'moved':
        this.#board[event.cell] = event.mark;
        this.#turn = event.turn;
        break;
      case 'round-ended':
        this.#score = event.score;
        this.#turn = null;
        break;
      case 'game-ended':
        this.#score = event.score;
        this.#turn = null;
        this.#reconnecting.clear();
        break;
      case 'player-connection':
        if (event.state === 'reconnecting') this.#reconnecting.add(event.slot);
        else this.#reconnecting.delete(event.slot);
        break;
    }
  }
}
