import type { Proxy } from '@msc/eventual';
import { joinFirstFree, joinSlot, launchWhenSeen, playToEnd } from '../client/bot.ts';
import type { GameView } from '../client/game-view.ts';
import type { LobbyClient } from '../client/lobby-client.ts';
import type { PlayerView } from '../client/player-view.ts';
import type { IJoinedPlayer } from '../contracts.ts';
import { renderBoard } from '../game/tic-tac-toe.ts';
import type { Mark } from '../settings.ts';
import { describeSettings } from '../settings.ts';
import { describeGameEvent, describeLauncherEvent } from '../story.ts';
import { printable } from '../text-rules.ts';
import type { LineTone } from './terminal-output.ts';

/** The commands of the terminal client, as `help` prints them. */
export const terminalHelp = [
  'list [more]               the open games (a page; `list more` for the next one)',
  'create <name>             create a game and watch it',
  'open <id>                 watch a listed game',
  'join [slot]               take a slot (0 = X, 1 = O, 2-3 watch); default: the first free one',
  'leave                     give your slot up',
  'say <text>                chat (stamped with the latest LSN you saw)',
  'rounds <1-5>              change the number of rounds',
  'board <3-5>               change the board size',
  'starter <round> <X|O>     change who starts a round',
  'launch                    launch the game (refused if you have not seen the latest change)',
  'move <cell> | <row> <col> play a cell (0 is top left)',
  'resign                    give the match up',
  'status                    what you are watching and playing',
  'quit                      leave (Ctrl-C does the same)',
];

/**
 * The terminal client's logic, separate from the terminal: it takes command lines and writes
 * readable lines through `print`, each with a tone for its colour (`TerminalOutput` colours and
 * places them). `bin/lobby-client.ts` wires it to stdin/stdout; tests drive it directly.
 *
 * Every line goes to `print` through `printable()`: most carry text from the server (game and seat
 * names, settings, ids, board cells, error messages), which cleans what players send, but a
 * server is a peer too (a hostile one, or a cluster node the client was sent to).
 */
export class TerminalClient {
  readonly #client: LobbyClient;
  readonly #print: (line: string, tone?: LineTone) => void;
  readonly #name: string;
  #view: GameView | undefined;
  #membership: Proxy<IJoinedPlayer> | undefined;
  #player: PlayerView | undefined;
  /** The cursor of the next page of `list`, or `null` after the last page. */
  #nextPage: string | null = null;

  constructor(client: LobbyClient, name: string, print: (line: string, tone?: LineTone) => void) {
    this.#client = client;
    this.#name = name;
    this.#print = (line, tone) => print(printable(line), tone);
  }

  /** The game being watched. */
  get view(): GameView | undefined {
    return this.#view;
  }

  /** The seat in the running game. */
  get player(): PlayerView | undefined {
    return this.#player;
  }

  /**
   * Runs one command line. Errors of the lobby or the game are printed, not thrown.
   *
   * @returns false when the command was `quit`
   */
  async run(line: string): Promise<boolean> {
    const [command = '', ...words] = line.trim().split(/\s+/);
    const rest = line.trim().slice(command.length).trim();
    try {
      switch (command.toLowerCase()) {
        case '':
          return true;
        case 'help':
          for (const help of terminalHelp) this.#print(help);
          return true;
        case 'quit':
        case 'exit':
          return false;
        case 'list':
          await this.#list(words[0] === 'more');
          return true;
        case 'create':
          this.#watch(this.#client.createGame(rest || `${this.#name}'s game`));
          await this.#view!.until((view) => view.lsn >= 0);
          return true;
        case 'open':
          this.#watch(this.#client.openGame(words[0] ?? ''));
          await this.#view!.until((view) => view.lsn >= 0);
          return true;
        case 'join':
          await this.#join(words[0]);
          return true;
        case 'leave':
          await this.#leave();
          return true;
        case 'say':
          await this.#watched().say(rest);
          return true;
        case 'rounds':
          await this.#watched().change({ kind: 'rounds', rounds: Number(words[0]) });
          return true;
        case 'board':
          await this.#watched().change({ kind: 'board-size', boardSize: Number(words[0]) });
          return true;
        case 'starter':
          await this.#watched().change({
            kind: 'starter',
            round: Number(words[0]),
            mark: (words[1] ?? '').toUpperCase() as Mark,
          });
          return true;
        case 'launch':
          await this.#watched().launch();
          return true;
        case 'move':
          await this.#move(words);
          return true;
        case 'resign':
          await this.#playing().player.resign();
          return true;
        case 'status':
          this.#status();
          return true;
        default:
          this.#print(`unknown command '${command}' (try 'help')`);
          return true;
      }
    } catch (error) {
      this.#print(`! ${describeError(error)}`, 'error');
      return true;
    }
  }

  /**
   * Plays one game on its own, as a scripted bot: joins the first open game with a free player slot,
   * or creates one and waits for an opponent; launches when both are seated; plays to the end.
   *
   * @returns the result line
   */
  async playAsBot(options: { readonly timeoutMs?: number } = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const open = await this.#client.findGame(
      (game) => game.openSlots.includes(0) || game.openSlots.includes(1),
    );
    let seat: Awaited<ReturnType<typeof joinSlot>> | undefined;
    if (open !== undefined) {
      this.#watch(this.#client.openGame(open.id));
      seat = await joinFirstFree(
        this.#view!,
        open.openSlots.filter((slot) => slot < 2),
        this.#name,
      ).catch(() => undefined);
    }
    if (seat === undefined) {
      this.#watch(this.#client.createGame(`${this.#name}'s game`));
      seat = await joinSlot(this.#view!, 0, this.#name);
    }
    this.#membership = seat.membership;
    const view = this.#view!;
    await view.until((current) => current.lsn >= 0);
    // Best effort: the game may launch between joining and saying hello.
    await view.say(`hello from ${this.#name}`).catch(() => {});
    await view.until(
      (current) =>
        current.phase !== 'open' ||
        current.slots.filter((slot) => slot.slot < 2 && slot.name !== null).length === 2,
      timeoutMs,
    );
    if (view.phase === 'open' && seat.slot === 0) await launchWhenSeen(view).catch(() => {});
    const player = await seat.launched;
    const outcome = await playToEnd(player);
    player[Symbol.dispose]();
    return outcome.kind === 'ended'
      ? outcome.event.message
      : `the game failed: ${describeError(outcome.error)}`;
  }

  /** Releases what the client holds (memberships, seats, views). */
  dispose(): void {
    this.#membership?.[Symbol.dispose]();
    this.#player?.[Symbol.dispose]();
    this.#view?.[Symbol.dispose]();
  }

  async #list(more: boolean): Promise<void> {
    if (more && this.#nextPage === null) {
      this.#print('no more games (list shows the first page again)');
      return;
    }
    const { games, next } = await this.#client.listGames(more ? { after: this.#nextPage } : {});
    this.#nextPage = next;
    if (games.length === 0) this.#print('no open games (create one)');
    for (const game of games) {
      this.#print(
        `${game.id}  "${game.name}" by ${game.createdBy}: ${describeSettings(game.settings)}; free slots ${game.openSlots.join(', ') || 'none'}`,
      );
    }
    if (next !== null) this.#print("more games: type 'list more'");
  }

  #watch(view: GameView): void {
    this.#view?.[Symbol.dispose]();
    this.#view = view;
    view.onEvent((event) =>
      this.#print(describeLauncherEvent(event), event.kind === 'chat' ? 'chat' : undefined),
    );
    view.ended.catch((error: unknown) => this.#print(`! ${describeError(error)}`, 'error'));
  }

  async #join(slotText: string | undefined): Promise<void> {
    const view = this.#watched();
    const slots = slotText === undefined ? view.openSlots : [Number(slotText)];
    const seat = await joinFirstFree(view, slots, this.#name);
    this.#membership = seat.membership;
    this.#print(`you hold slot ${seat.slot}; the game starts when someone launches it`, 'notice');
    void seat.launched.then((player) => this.#play(player));
  }

  async #leave(): Promise<void> {
    if (this.#membership === undefined) throw new Error('expected to hold a slot (join first)');
    const membership = this.#membership;
    this.#membership = undefined;
    try {
      await membership.leave();
    } finally {
      membership[Symbol.dispose]();
    }
  }

  #play(player: PlayerView): void {
    this.#player = player;
    this.#print(`the game started: you play ${player.info.role} in ${player.info.gameId}`, 'notice');
    player.onEvent((event, view) => {
      const tone =
        event.kind === 'game-ended' || event.kind === 'round-ended'
          ? 'result'
          : event.kind === 'player-connection'
            ? 'notice'
            : undefined;
      for (const line of describeGameEvent(event, view.board, view.boardSize)) this.#print(line, tone);
      if (event.kind === 'snapshot')
        for (const row of renderBoard(view.board, view.boardSize)) this.#print(`    ${row}`);
      if (view.myTurn) this.#print(`your move (${view.info.role}): move <cell> or move <row> <col>`, 'turn');
    });
    void player.outcome.then((outcome) => {
      if (outcome.kind === 'failed')
        this.#print(`! the game ended abnormally: ${describeError(outcome.error)}`, 'error');
    });
  }

  async #move(words: readonly string[]): Promise<void> {
    const player = this.#playing();
    const numbers = words.map(Number);
    const cell = numbers.length >= 2 ? numbers[0]! * player.boardSize + numbers[1]! : numbers[0]!;
    await player.move(cell);
  }

  #status(): void {
    const view = this.#view;
    if (view === undefined) this.#print('watching no game');
    else {
      this.#print(`game ${view.gameId} "${view.gameName}" (${view.phase}), lsn ${view.lsn}`);
      if (view.settings) this.#print(`settings: ${describeSettings(view.settings)}`);
      for (const slot of view.slots)
        this.#print(`  slot ${slot.slot} (${slot.role}): ${slot.name ?? 'free'}`);
    }
    const player = this.#player;
    if (player !== undefined) {
      this.#print(
        `playing ${player.info.role}, round ${player.round}, score X ${player.score.X} : O ${player.score.O}`,
      );
      for (const row of renderBoard(player.board, player.boardSize)) this.#print(`    ${row}`);
    }
  }

  #watched(): GameView {
    if (this.#view === undefined) throw new Error('expected a game to act on (create or open one first)');
    return this.#view;
  }

  #playing(): PlayerView {
    if (this.#player === undefined) throw new Error('expected a running game (launch first)');
    return this.#player;
  }
}

/** An error as one line: `name (code): message`. */
export function describeError(error: unknown): string {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const { name, code, message } = error as { name?: string; code?: unknown; message: string };
    return `${name ?? 'Error'}${typeof code === 'string' ? ` (${code})` : ''}: ${message}`;
  }
  return String(error);
}
