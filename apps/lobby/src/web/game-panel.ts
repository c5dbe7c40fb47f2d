/*
 * One game on the page, from the launcher to the end of the match: its seats, settings, chat, the
 * launch, then the board. What a player may do follows the game's phase, and the panel shows only
 * those controls, re-derived from the state after every event (`#render`), so nothing stale stays:
 *
 *   phase     seated?        controls
 *   open      no             Join/Watch on free seats, Back
 *   open      yes            settings, chat, Leave seat, Back; Launch for the host only
 *   playing   X or O         the board (cells enabled on your turn only), Resign
 *   playing   spectator      the board (read only), the seat names
 *   over      any            the final board with the winning line, the result, Back
 *   closed / launched unseated: a line saying so, Back
 *
 * Ownership: the panel owns the launcher view (the client disposes it when its stream ends), the
 * membership (disposed when the panel closes or the game ends) and the seat (disposed on close;
 * dropping a player's seat mid-game forfeits it, so closing the panel is only offered when that is
 * what the player asked for: after the end, or before launch).
 */
import type { Proxy } from '@msc/eventual';
import { launchWhenSeen } from '../client/bot.ts';
import type { GameView } from '../client/game-view.ts';
import { type GameOutcome, PlayerView } from '../client/player-view.ts';
import type { Cell, GameEvent, IJoinedPlayer, LauncherEvent, LaunchInfo, SlotRole } from '../contracts.ts';
import { slotRole } from '../contracts.ts';
import { describeSettings, describeSettingsChange, type Mark } from '../settings.ts';
import { describeSeatConnection } from '../story.ts';
import { BoardView } from './board-view.ts';
import { actionButton, byId, textElement } from './dom.ts';

/** What the panel needs from the page. */
export interface GamePanelOptions {
  /** The player's name (the name seats are taken under). */
  readonly name: string;
  /** Whether this page created the game: only its host is offered Launch. */
  readonly host: boolean;
  /** Shows an error (a refused action, a failed stream). */
  readonly onError: (error: unknown) => void;
  /** Called when the player goes back to the lobby (the panel is closed by then). */
  readonly onClose: () => void;
}

type Phase = 'open' | 'playing' | 'over' | 'launched-elsewhere' | 'closed';

/** The page's one game panel (the `#game` section). */
export class GamePanel {
  readonly #view: GameView;
  readonly #options: GamePanelOptions;
  readonly #board: BoardView;
  readonly #lastBoard: BoardView;
  readonly #cleanups: (() => void)[] = [];
  #membership: Proxy<IJoinedPlayer> | undefined;
  #slot: number | undefined;
  #joining = false;
  #player: PlayerView | undefined;
  #outcome: GameOutcome | undefined;
  #moving = false;
  #winning: readonly Cell[] = [];
  #closed = false;

  constructor(view: GameView, options: GamePanelOptions) {
    this.#view = view;
    this.#options = options;
    this.#board = new BoardView(byId('board'), (cell) => this.#move(cell));
    this.#lastBoard = new BoardView(byId('last-board'), undefined, 'last-cell-');
    byId('log').replaceChildren();
    byId('game-title').textContent = 'Opening the game…';
    byId('last-round').hidden = true;
    byId('result').hidden = true;
    byId('play').hidden = true;
    byId('game').hidden = false;
    this.#listen('launch', 'click', () => void this.#launch());
    this.#listen('leave', 'click', () => void this.#leave());
    this.#listen('back', 'click', () => this.close());
    this.#listen('resign', 'click', () => {
      this.#player?.player.resign().catch(this.#options.onError);
    });
    this.#listen('rounds', 'change', (event) =>
      this.#change({ kind: 'rounds', rounds: Number((event.target as HTMLSelectElement).value) }),
    );
    this.#listen('board-size', 'change', (event) =>
      this.#change({ kind: 'board-size', boardSize: Number((event.target as HTMLSelectElement).value) }),
    );
    this.#listen('chat-form', 'submit', (event) => {
      event.preventDefault();
      const input = byId<HTMLInputElement>('chat-text');
      const text = input.value.trim();
      if (text === '') return;
      this.#view.say(text).then(() => {
        input.value = '';
      }, this.#options.onError);
    });
    this.#cleanups.push(
      view.onEvent((event) => {
        this.#logLauncherEvent(event);
        this.#render();
      }),
    );
    view.ended.then(
      () => this.#render(),
      (error: unknown) => {
        if (this.#closed) return;
        this.#options.onError(error);
        this.#render();
      },
    );
    this.#render();
  }

  /** The id of the game shown (empty until the launcher's snapshot arrived). */
  get gameId(): string {
    return this.#view.gameId;
  }

  /** Closes the panel: gives up a seat held before launch, releases everything, goes back to the lobby. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const cleanup of this.#cleanups) cleanup();
    this.#membership?.[Symbol.dispose]();
    this.#player?.[Symbol.dispose]();
    this.#view[Symbol.dispose]();
    byId('game').hidden = true;
    this.#options.onClose();
  }

  #listen<K extends keyof HTMLElementEventMap>(
    id: string,
    type: K,
    handler: (event: HTMLElementEventMap[K]) => void,
  ): void {
    const element = byId(id);
    element.addEventListener(type, handler);
    this.#cleanups.push(() => element.removeEventListener(type, handler));
  }

  #phase(): Phase {
    if (this.#outcome !== undefined) return 'over';
    if (this.#player !== undefined) return 'playing';
    if (this.#view.phase === 'closed') return 'closed';
    // Launched, and this page held no seat (or its seat has not been handed over yet).
    if (this.#view.phase === 'launched') return this.#slot === undefined ? 'launched-elsewhere' : 'playing';
    return 'open';
  }

  #render(): void {
    if (this.#closed) return;
    const view = this.#view;
    const phase = this.#phase();
    const seated = this.#slot !== undefined;
    if (view.lsn >= 0) byId('game-title').textContent = view.gameName;
    byId('phase').textContent = phaseLabel[phase];
    byId('phase').dataset['phase'] = phase;
    byId('settings').textContent = view.settings === undefined ? '' : describeSettings(view.settings);

    this.#renderSeats(phase);
    const setup = byId('setup');
    setup.hidden = phase !== 'open' || !seated;
    if (view.settings !== undefined) {
      byId<HTMLSelectElement>('rounds').value = String(view.settings.rounds);
      byId<HTMLSelectElement>('board-size').value = String(view.settings.boardSize);
    }
    const launch = byId<HTMLButtonElement>('launch');
    launch.hidden = !this.#options.host;
    const bothSeated = view.slots.filter((slot) => slot.slot < 2 && slot.name !== null).length === 2;
    launch.disabled = !bothSeated;
    launch.title = bothSeated ? '' : 'waiting for X and O to be taken';
    byId('chat-form').hidden = phase !== 'open' || !seated;
    byId('leave').hidden = phase !== 'open' || !seated;
    const playerRole = this.#player?.info.role;
    byId('resign').hidden = phase !== 'playing' || playerRole === undefined || playerRole === 'spectator';
    // Leaving mid-game would forfeit: Back is offered before launch, after the end, or to a bystander.
    byId('back').hidden = phase === 'playing';
    byId('seats').hidden = phase === 'playing' || phase === 'over';

    const result = byId('result');
    if (phase === 'launched-elsewhere') {
      result.hidden = false;
      result.textContent = 'The game started without you: only its seats see the board.';
    } else if (phase === 'closed') {
      result.hidden = false;
      result.textContent = 'This game closed.';
    } else if (phase === 'over' && this.#outcome !== undefined) {
      result.hidden = false;
      result.textContent =
        this.#outcome.kind === 'ended'
          ? this.#outcome.event.message
          : 'The game stopped: it lost its connection or crashed.';
    } else {
      result.hidden = true;
    }
    this.#renderPlay(phase);
  }

  #renderSeats(phase: Phase): void {
    const list = byId('seats');
    const canJoin = phase === 'open' && this.#slot === undefined && !this.#joining;
    list.replaceChildren(
      ...this.#view.slots.map((slot) => {
        const item = document.createElement('li');
        item.className = `seat${slot.slot === this.#slot ? ' mine' : ''}`;
        item.dataset['testid'] = `seat-${slot.slot}`;
        item.append(
          textElement('span', roleLabel(slot.role), { className: `seat-role ${markClass(slot.role)}` }),
          textElement(
            'span',
            slot.name === null ? 'free' : `${slot.name}${slot.slot === this.#slot ? ' (you)' : ''}`,
            { className: `seat-name${slot.name === null ? ' free' : ''}` },
          ),
        );
        if (slot.fingerprint !== null) item.title = `key ${slot.fingerprint}`;
        if (slot.name === null && canJoin) {
          const label = slot.role === 'spectator' ? 'Watch' : `Play ${slot.role}`;
          item.append(actionButton(label, () => void this.#join(slot.slot), { testId: `join-${slot.slot}` }));
        }
        return item;
      }),
    );
  }

  #renderPlay(phase: Phase): void {
    const seat = this.#player;
    byId('play').hidden = seat === undefined;
    if (seat === undefined) return;
    const names = playerNames(seat.info);
    const players = byId('players');
    players.textContent = seatLine(seat.info, phase === 'playing' ? seat.reconnecting : new Set());
    players.dataset['reconnecting'] = phase === 'playing' ? [...seat.reconnecting].join(' ') : '';
    this.#board.render({
      board: seat.board,
      boardSize: seat.boardSize,
      playable: phase === 'playing' && seat.myTurn && !this.#moving,
      winning: this.#winning,
    });
    const turn = byId('turn');
    const rounds = seat.info.settings.rounds;
    const round = rounds > 1 ? `Round ${seat.round} of ${rounds}: ` : '';
    const line = (text: string) =>
      round === '' ? text.charAt(0).toUpperCase() + text.slice(1) : round + text;
    if (phase === 'over') turn.textContent = 'Game over';
    else if (seat.myTurn) turn.textContent = line(`your turn (${seat.info.role})`);
    else if (seat.turn !== null) turn.textContent = line(`waiting for ${names[seat.turn]} (${seat.turn})`);
    else turn.textContent = line('between rounds');
    turn.dataset['myTurn'] = String(phase === 'playing' && seat.myTurn);
    byId('score').textContent = `Score: ${names.X} (X) ${seat.score.X} : ${seat.score.O} ${names.O} (O)`;
  }

  async #join(slot: number): Promise<void> {
    this.#joining = true;
    this.#render();
    try {
      const membership = await this.#view.join(slot, this.#options.name, (player, info) =>
        this.#launched(new PlayerView(player, info)),
      );
      if (this.#closed) {
        membership[Symbol.dispose]();
        return;
      }
      this.#membership = membership;
      this.#slot = slot;
    } catch (error) {
      this.#options.onError(error);
    } finally {
      this.#joining = false;
      this.#render();
    }
  }

  async #leave(): Promise<void> {
    const membership = this.#membership;
    this.#membership = undefined;
    this.#slot = undefined;
    this.#render();
    try {
      await membership?.leave();
    } catch (error) {
      this.#options.onError(error);
    } finally {
      membership?.[Symbol.dispose]();
    }
  }

  #change(change: Parameters<GameView['change']>[0]): void {
    this.#view.change(change).catch((error: unknown) => {
      this.#options.onError(error);
      this.#render(); // puts the selects back to the settings in force
    });
  }

  async #launch(): Promise<void> {
    const launch = byId<HTMLButtonElement>('launch');
    launch.disabled = true;
    try {
      // A change that arrived after what this page saw makes the launch stale: retry once it is seen.
      await launchWhenSeen(this.#view, 3);
    } catch (error) {
      this.#options.onError(error);
    } finally {
      this.#render();
    }
  }

  #launched(seat: PlayerView): void {
    if (this.#closed) {
      seat[Symbol.dispose]();
      return;
    }
    this.#player = seat;
    this.#log(`The game started. ${seatLine(seat.info)}.`, 'system');
    this.#cleanups.push(
      seat.onEvent((event, current) => {
        this.#onGameEvent(event, current);
        this.#render();
      }),
    );
    void seat.outcome.then((outcome) => {
      this.#outcome = outcome;
      if (outcome.kind === 'failed' && !this.#closed) this.#options.onError(outcome.error);
      // The match is over: the membership has nothing left to hold.
      this.#membership?.[Symbol.dispose]();
      this.#membership = undefined;
      this.#render();
    });
    this.#render();
  }

  #onGameEvent(event: GameEvent, seat: PlayerView): void {
    const names = playerNames(seat.info);
    switch (event.kind) {
      case 'round-started':
        this.#winning = [];
        if (event.round > 1)
          this.#log(
            `Round ${event.round} starts; ${names[event.turn]} (${event.turn}) moves first.`,
            'system',
          );
        break;
      case 'moved':
        this.#log(`${event.by} (${event.mark}) played ${cellName(event.cell, seat.boardSize)}.`);
        break;
      case 'round-ended': {
        this.#winning = event.line;
        const what = event.winner === null ? 'a draw' : `${names[event.winner]} (${event.winner}) wins`;
        this.#log(`Round ${event.round}: ${what}.`, 'system');
        if (seat.info.settings.rounds > 1) {
          // The next round's board replaces this one at once: keep this one, with its line, beside it.
          this.#lastBoard.render({
            board: seat.board,
            boardSize: seat.boardSize,
            playable: false,
            winning: event.line,
          });
          byId('last-caption').textContent = `Round ${event.round}: ${what}`;
          byId('last-round').hidden = false;
        }
        break;
      }
      case 'game-ended':
        this.#log(event.message, 'system');
        break;
      case 'player-connection':
        this.#log(`${describeSeatConnection(event)}.`, 'system');
        break;
      case 'snapshot':
        break;
    }
  }

  #move(cell: Cell): void {
    const seat = this.#player;
    if (seat === undefined || !seat.myTurn || this.#moving) return;
    this.#moving = true;
    this.#render();
    seat
      .move(cell)
      .catch(this.#options.onError)
      .finally(() => {
        this.#moving = false;
        this.#render();
      });
  }

  #logLauncherEvent(event: LauncherEvent): void {
    switch (event.kind) {
      case 'snapshot':
        for (const line of event.chat) this.#logChat(line.from, line.text);
        break;
      case 'joined':
        this.#log(`${event.name} took seat ${roleLabel(slotRole(event.slot))}.`, 'system');
        break;
      case 'left':
        this.#log(`${event.name} left seat ${roleLabel(slotRole(event.slot))}.`, 'system');
        break;
      case 'settings':
        this.#log(`${event.by} set ${describeSettingsChange(event.change)}.`, 'system');
        break;
      case 'chat':
        this.#logChat(event.from, event.text);
        break;
      case 'launched':
        this.#log(`${event.by} launched the game.`, 'system');
        break;
      case 'closed':
        this.#log(`The game closed: ${event.reason}.`, 'system');
        break;
    }
  }

  #logChat(from: string, text: string): void {
    const item = document.createElement('li');
    item.append(textElement('span', `${from}: `, { className: 'chat-from' }), document.createTextNode(text));
    this.#append(item);
  }

  #log(line: string, className?: string): void {
    this.#append(textElement('li', line, className === undefined ? {} : { className }));
  }

  #append(item: HTMLElement): void {
    const log = byId('log');
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.append(item);
    // At most 200 lines; follow new lines unless the player scrolled up to read.
    while (log.childElementCount > 200) log.firstElementChild?.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}

const phaseLabel: Record<Phase, string> = {
  open: 'waiting for players',
  playing: 'playing',
  over: 'finished',
  'launched-elsewhere': 'started',
  closed: 'closed',
};

function roleLabel(role: SlotRole): string {
  return role === 'spectator' ? 'spectator' : role;
}

function markClass(role: SlotRole): string {
  return role === 'spectator' ? '' : `mark-${role.toLowerCase()}`;
}

function playerNames(info: LaunchInfo): Record<Mark, string> {
  const name = (role: Mark) => info.players.find((player) => player.role === role)?.name ?? role;
  return { X: name('X'), O: name('O') };
}

/**
 * "X: ada · O: bob · watching: carol" (the seat names every seat sees, spectators included), with
 * "(reconnecting…)" after each seat in `reconnecting`.
 */
function seatLine(info: LaunchInfo, reconnecting: ReadonlySet<number> = new Set()): string {
  const seat = (player: LaunchInfo['players'][number]) =>
    `${player.name}${reconnecting.has(player.slot) ? ' (reconnecting…)' : ''}`;
  const of = (role: Mark) => {
    const player = info.players.find((candidate) => candidate.role === role);
    return player === undefined ? role : seat(player);
  };
  const watching = info.players.filter((player) => player.role === 'spectator').map(seat);
  const you = info.role === 'spectator' ? ' · you are watching' : ` · you play ${info.role}`;
  return `X: ${of('X')} · O: ${of('O')}${watching.length > 0 ? ` · watching: ${watching.join(', ')}` : ''}${you}`;
}

/** "the centre", or "row 1, column 3". */
function cellName(cell: Cell, boardSize: number): string {
  const row = Math.floor(cell / boardSize) + 1;
  const column = (cell % boardSize) + 1;
  if (boardSize % 2 === 1 && row === column && row === (boardSize + 1) / 2) return 'the centre';
  return `row ${row}, column ${column}`;
}
