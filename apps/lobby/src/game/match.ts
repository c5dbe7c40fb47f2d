import { type Proxy, proxy, type Sequence, type SequenceWriter, sequence } from '@msc/eventual';
import type {
  Cell,
  GameEvent,
  GameResult,
  GameSetup,
  IGameSession,
  IPlayer,
  Score,
  SeatConnectionState,
  SlotRole,
} from '../contracts.ts';
import { delay } from '../delay.ts';
import { GameError } from '../lobby-error.ts';
import type { Mark } from '../settings.ts';
import { emptyBoard, isFull, otherMark, winningLine } from './tic-tac-toe.ts';

/** How long the end of a match waits for the players to read its last events. */
const drainTimeoutMs = 2_000;
/**
 * A watcher with this many events unread is dropped rather than buffered without bound. Counted with
 * `unread` (what its consumer has not taken), never with the window the consumer declared.
 */
const maxBacklog = 256;
/**
 * Event streams one seat may have open at once. A client reads one (a `PlayerView`); a second
 * covers a view being replaced. Each stream is a writer here, a bridge stream in the game's SIP and
 * a relay on the server, and every event is written to each: unbounded, a spectator could run the
 * SIP out of heap and abort the match for both players.
 */
export const maxEventStreamsPerSeat = 2;
/** The connection states a seat may be told (`seatConnection`). */
const seatConnectionStates: readonly string[] = ['reconnecting', 'reconnected', 'lost'];

/**
 * A tic-tac-toe match of one or more rounds: the state of a running game. It lives in the game's
 * SIP (or in the server's thread with the in-process host) and is reached only through the seats it
 * hands out and the {@link GameSessionRoot} the server holds.
 *
 * Ordering: every call is dispatched at the top of a turn and the match has only prompt methods, so
 * moves are totally ordered by dispatch and events go out in the order the state changed.
 */
export class TicTacToeMatch {
  readonly setup: GameSetup;
  #round = 1;
  #board: (Mark | null)[];
  #turn: Mark | null;
  #score: { X: number; O: number } = { X: 0, O: 0 };
  #result: GameResult | undefined;
  readonly #watchers = new Set<SequenceWriter<GameEvent>>();
  /** The open streams of each seat (by slot), oldest first: at most {@link maxEventStreamsPerSeat}. */
  readonly #streamsBySlot = new Map<number, SequenceWriter<GameEvent>[]>();
  /** The seats whose connection dropped and has not come back (nor been lost). */
  readonly #reconnecting = new Set<number>();
  readonly #finished: Promise<GameResult>;
  #resolveFinished!: (result: GameResult) => void;

  constructor(setup: GameSetup) {
    this.setup = setup;
    this.#board = emptyBoard(setup.settings.boardSize);
    this.#turn = setup.settings.starters[0] ?? 'X';
    this.#finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
  }

  /** Resolves with the result once the match ended and its watchers read the last events (or 2 s passed). */
  get finished(): Promise<GameResult> {
    return this.#finished;
  }

  /** The result, once the match ended. */
  get result(): GameResult | undefined {
    return this.#result;
  }

  /** The seat of `slot` (a new object each time; the lobby asks once per slot). */
  seat(slot: number): Seat {
    const player = this.setup.players.find((candidate) => candidate.slot === slot);
    if (player === undefined) throw new GameError('bad-state', `expected a seated slot, got ${slot}`);
    return new Seat(this, slot, player.role, player.name);
  }

  /**
   * A new watcher: a snapshot now, then every event. For the seat `slot`, past
   * {@link maxEventStreamsPerSeat} streams the seat's oldest one is ended (aborted with GameError
   * `limit`) rather than the new one refused: the newest stream is the one its client reads, and a
   * client whose old stream is stale (not yet noticed as ended) can always watch again.
   */
  watch(slot?: number): Sequence<GameEvent> {
    const [events, writer] = sequence<GameEvent>({ capacity: 64 });
    writer.write(this.#snapshot());
    if (this.#result !== undefined) {
      void writer.close();
    } else {
      this.#watchers.add(writer);
      if (slot !== undefined) this.#addSeatStream(slot, writer);
    }
    return events;
  }

  #addSeatStream(slot: number, writer: SequenceWriter<GameEvent>): void {
    const streams = this.#streamsBySlot.get(slot) ?? [];
    this.#streamsBySlot.set(slot, streams);
    while (streams.length >= maxEventStreamsPerSeat) {
      const oldest = streams.shift() as SequenceWriter<GameEvent>;
      this.#watchers.delete(oldest);
      oldest.abort(
        new GameError(
          'limit',
          `expected at most ${maxEventStreamsPerSeat} event streams per seat (maxEventStreamsPerSeat), but slot ${slot} opened another: this, its oldest, was ended`,
        ),
      );
    }
    streams.push(writer);
    // A stream that ends (cancelled, its session gone, aborted) frees its place at once.
    void writer.whenEnded().then(() => {
      this.#watchers.delete(writer);
      const index = streams.indexOf(writer);
      if (index >= 0) streams.splice(index, 1);
    });
  }

  /** Plays `mark` on `cell` for the player named `by`. */
  move(mark: Mark, by: string, cell: Cell): void {
    if (this.#result !== undefined)
      throw new GameError('game-over', 'expected a running game, but it is over');
    if (this.#turn !== mark) {
      throw new GameError(
        'not-your-turn',
        `expected ${this.#turn ?? 'nobody'} to move, got a move by ${mark}`,
      );
    }
    const size = this.setup.settings.boardSize;
    if (!Number.isInteger(cell) || cell < 0 || cell >= size * size) {
      throw new GameError('bad-move', `expected a cell from 0 to ${size * size - 1}, got ${cell}`);
    }
    if (this.#board[cell] !== null) throw new GameError('bad-move', `cell ${cell} is taken`);
    this.#board[cell] = mark;
    const line = winningLine(this.#board, size, cell);
    const roundOver = line !== null || isFull(this.#board);
    this.#turn = roundOver ? null : otherMark(mark);
    this.#emit({ kind: 'moved', round: this.#round, mark, cell, by, turn: this.#turn });
    if (!roundOver) return;
    if (line !== null) this.#score[mark]++;
    this.#emit({
      kind: 'round-ended',
      round: this.#round,
      winner: line === null ? null : mark,
      line: line ?? [],
      score: this.#scoreNow(),
    });
    if (this.#round < this.setup.settings.rounds) {
      this.#round++;
      this.#board = emptyBoard(size);
      this.#turn = this.setup.settings.starters[this.#round - 1] ?? 'X';
      this.#emit({ kind: 'round-started', round: this.#round, boardSize: size, turn: this.#turn });
      return;
    }
    const winner = this.#score.X === this.#score.O ? null : this.#score.X > this.#score.O ? 'X' : 'O';
    const message =
      winner === null
        ? `a draw, ${this.#score.X}:${this.#score.O}`
        : `${this.#nameOf(winner)} (${winner}) wins ${this.#score.X}:${this.#score.O}`;
    this.#end({ winner, score: this.#scoreNow(), reason: 'played', message });
  }

  /**
   * The connection of the seat `slot` changed: every watcher is told, once per change (a state
   * equal to the seat's current one is no news). Ignored once the match is over: its watchers are
   * closed, and a lost player's forfeit says it all.
   *
   * @throws GameError `bad-state` for a slot nobody sits in or an unknown state
   */
  seatConnection(slot: number, state: SeatConnectionState): void {
    const player = this.setup.players.find((candidate) => candidate.slot === slot);
    if (player === undefined) throw new GameError('bad-state', `expected a seated slot, got ${String(slot)}`);
    if (!seatConnectionStates.includes(state)) {
      throw new GameError(
        'bad-state',
        `expected a connection state (${seatConnectionStates.join(', ')}), got ${String(state)}`,
      );
    }
    if (this.#result !== undefined) return;
    const wasReconnecting = this.#reconnecting.has(slot);
    if (state === 'reconnecting') {
      if (wasReconnecting) return;
      this.#reconnecting.add(slot);
    } else {
      // `reconnected` and `lost` end a reconnection; without one they are no news either.
      if (!wasReconnecting) return;
      this.#reconnecting.delete(slot);
    }
    this.#emit({ kind: 'player-connection', slot, role: player.role, name: player.name, state });
  }

  /** Ends the match in favour of the other mark: `reason` says whether `mark` resigned or dropped its seat. */
  concede(mark: Mark, reason: 'resigned' | 'forfeit'): void {
    if (this.#result !== undefined) return;
    const winner = otherMark(mark);
    const what = reason === 'resigned' ? 'resigned' : 'left the game';
    this.#end({
      winner,
      score: this.#scoreNow(),
      reason,
      message: `${this.#nameOf(mark)} (${mark}) ${what}; ${this.#nameOf(winner)} (${winner}) wins`,
    });
  }

  /** Whether the match has ended. */
  get isOver(): boolean {
    return this.#result !== undefined;
  }

  #end(result: GameResult): void {
    this.#result = result;
    this.#turn = null;
    this.#emit({ kind: 'game-ended', ...result });
    // The lobby ends the game's SIP once `finished` resolves, so give the watchers the chance to read
    // the last events first (close() resolves when they did), bounded for watchers that stall.
    const closing = [...this.#watchers].map((writer) => writer.close().catch(() => {}));
    this.#watchers.clear();
    void Promise.race([Promise.all(closing), delay(drainTimeoutMs)]).then(() =>
      this.#resolveFinished(result),
    );
  }

  #emit(event: GameEvent): void {
    for (const writer of this.#watchers) {
      try {
        if (writer.unread >= maxBacklog) throw new Error('the watcher fell too far behind');
        writer.write(event);
      } catch (error) {
        // Cancelled by its consumer, or too slow: stop writing to it; the game goes on.
        this.#watchers.delete(writer);
        writer.abort(error);
      }
    }
  }

  #snapshot(): GameEvent {
    return {
      kind: 'snapshot',
      round: this.#round,
      boardSize: this.setup.settings.boardSize,
      board: this.#board.slice(),
      turn: this.#turn,
      score: this.#scoreNow(),
      settings: this.setup.settings,
      players: this.setup.players,
      reconnecting: [...this.#reconnecting],
    };
  }

  #scoreNow(): Score {
    return { X: this.#score.X, O: this.#score.O };
  }

  #nameOf(mark: Mark): string {
    return this.setup.players.find((player) => player.role === mark)?.name ?? mark;
  }
}

/**
 * One seat of a match (the object behind an `IPlayer` capability). It carries the seat's authority:
 * the match trusts the mark of the seat the call came through, never an argument. Released by its
 * holder mid-game, a player's seat forfeits the match.
 */
export class Seat implements IPlayer, Disposable {
  readonly #match: TicTacToeMatch;
  readonly slot: number;
  readonly role: SlotRole;
  readonly name: string;

  constructor(match: TicTacToeMatch, slot: number, role: SlotRole, name: string) {
    this.#match = match;
    this.slot = slot;
    this.role = role;
    this.name = name;
  }

  /** At most {@link maxEventStreamsPerSeat} per seat: past it, the seat's oldest stream is ended. */
  events(): Sequence<GameEvent> {
    return this.#match.watch(this.slot);
  }

  async move(cell: Cell): Promise<void> {
    if (this.role === 'spectator') throw new GameError('not-your-turn', 'expected a player, got a spectator');
    this.#match.move(this.role, this.name, cell);
  }

  async resign(): Promise<void> {
    if (this.role === 'spectator') throw new GameError('not-your-turn', 'expected a player, got a spectator');
    if (this.#match.isOver) throw new GameError('game-over', 'expected a running game, but it is over');
    this.#match.concede(this.role, 'resigned');
  }

  /** The last reference went (the client dropped it, or its session ended): a player forfeits. */
  [Symbol.dispose](): void {
    if (this.role !== 'spectator') this.#match.concede(this.role, 'forfeit');
  }
}

/** The root capability of a game: what the lobby server holds (see {@link IGameSession}). */
export class GameSessionRoot implements IGameSession {
  readonly match: TicTacToeMatch;
  readonly #onCrash: (message: string) => void;

  /** @param onCrash - how to crash this host (an uncaught error in a SIP) */
  constructor(setup: GameSetup, onCrash: (message: string) => void) {
    this.match = new TicTacToeMatch(setup);
    this.#onCrash = onCrash;
  }

  seat(slot: number): Proxy<IPlayer> {
    return proxy<IPlayer>(this.match.seat(slot)); // the caller gets the only reference
  }

  finished(): Promise<GameResult> {
    return this.match.finished;
  }

  async seatConnection(slot: number, state: SeatConnectionState): Promise<void> {
    this.match.seatConnection(slot, state);
  }

  async crash(message: string): Promise<void> {
    this.#onCrash(message);
  }
}
