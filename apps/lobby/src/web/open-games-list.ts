/*
 * The live list of open games. The lobby has no stream of listing changes, so the list polls
 * `listGames` (paged, and rate limited per session at 20 a second in bursts of 60): one page every
 * 2 s, and only while the page is visible; "More" adds pages, which later refreshes keep. A refusal
 * for the rate limit doubles the interval (up to 30 s) until a refresh succeeds; the end of the
 * session stops the polling.
 *
 * Rows are keyed by game id and updated in place, so a refresh neither moves the keyboard focus off
 * an Open button nor makes the list flicker.
 */
import type { LobbyClient } from '../client/lobby-client.ts';
import type { GameSummary } from '../contracts.ts';
import { slotRole } from '../contracts.ts';
import { describeSettings } from '../settings.ts';
import { actionButton, textElement } from './dom.ts';
import { errorCode } from './error-text.ts';

/** Options of {@link OpenGamesList}. */
export interface OpenGamesListOptions {
  /** The `<ul>` the games are listed in. */
  readonly list: HTMLElement;
  /** Where the list says when it was last refreshed. */
  readonly updated: HTMLElement;
  /** Called with a game's id when the player opens it. */
  readonly onOpen: (gameId: string) => void;
  /** Called with an error a refresh ended with (not the rate limit's, which only slows the polling). */
  readonly onError: (error: unknown) => void;
  /** Milliseconds between refreshes. Default 2,000. */
  readonly intervalMs?: number;
}

const maxIntervalMs = 30_000;

/** The open games of a lobby, kept up to date while the page is visible. */
export class OpenGamesList {
  readonly #client: LobbyClient;
  readonly #options: OpenGamesListOptions;
  readonly #rows = new Map<string, HTMLLIElement>();
  readonly #intervalMs: number;
  #delayMs: number;
  #pages = 1;
  #refreshes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #refreshing: Promise<void> | undefined;
  readonly #onVisibility = () => {
    if (document.visibilityState === 'visible') this.#schedule(0);
  };

  constructor(client: LobbyClient, options: OpenGamesListOptions) {
    this.#client = client;
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? 2_000;
    this.#delayMs = this.#intervalMs;
  }

  /** Starts polling (a refresh at once). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#schedule(0);
  }

  /** Stops polling. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  /** Refreshes now (after a game was created or left), then keeps the usual interval. */
  refreshNow(): void {
    if (this.#running) this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
  }

  async #tick(): Promise<void> {
    if (!this.#running || document.visibilityState === 'hidden') return;
    // One refresh at a time: a tick that comes during one waits for it instead of overlapping.
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    await this.#refreshing;
    if (this.#running) this.#schedule(this.#delayMs);
  }

  async #refresh(): Promise<void> {
    try {
      const games: GameSummary[] = [];
      let after: string | null = null;
      let more = false;
      for (let page = 0; page < this.#pages; page++) {
        const result: { games: GameSummary[]; next: string | null } = await this.#client.listGames({ after });
        games.push(...result.games);
        after = result.next;
        more = after !== null;
        if (!more) break;
      }
      this.#render(games, more);
      this.#delayMs = this.#intervalMs;
      this.#options.updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
      // Counts refreshes, for whoever waits for the next one (the browser test).
      this.#options.updated.dataset['refreshes'] = String(++this.#refreshes);
    } catch (error) {
      if (errorCode(error) === 'limit') {
        this.#delayMs = Math.min(this.#delayMs * 2, maxIntervalMs);
        return;
      }
      if (this.#client.closed) this.stop();
      this.#options.onError(error);
      this.#delayMs = Math.min(this.#delayMs * 2, maxIntervalMs);
    }
  }

  #render(games: readonly GameSummary[], more: boolean): void {
    const list = this.#options.list;
    const seen = new Set<string>();
    let previous: Element | null = null;
    for (const game of games) {
      seen.add(game.id);
      let row = this.#rows.get(game.id);
      if (row === undefined) {
        row = this.#row(game);
        this.#rows.set(game.id, row);
      }
      this.#fill(row, game);
      const wanted: Element | null = previous === null ? list.firstElementChild : previous.nextElementSibling;
      if (wanted !== row) list.insertBefore(row, wanted);
      previous = row;
    }
    for (const [id, row] of this.#rows) {
      if (!seen.has(id)) {
        row.remove();
        this.#rows.delete(id);
      }
    }
    for (const stray of [...list.children]) {
      if (!(stray instanceof HTMLLIElement) || !seen.has(stray.dataset['gameId'] ?? '')) stray.remove();
    }
    if (games.length === 0) {
      list.append(
        textElement('li', 'No open games yet: create one.', { className: 'empty', testId: 'no-games' }),
      );
    }
    if (more) {
      const item = document.createElement('li');
      item.className = 'more';
      item.append(
        actionButton(
          'More games',
          () => {
            this.#pages++;
            this.refreshNow();
          },
          { className: 'secondary', testId: 'more-games' },
        ),
      );
      list.append(item);
    }
  }

  #row(game: GameSummary): HTMLLIElement {
    const row = document.createElement('li');
    row.className = 'game-row';
    row.dataset['gameId'] = game.id;
    row.dataset['testid'] = `game-${game.id}`;
    const text = document.createElement('div');
    text.className = 'game-text';
    text.append(
      textElement('strong', '', { className: 'game-name' }),
      textElement('span', '', { className: 'game-detail muted' }),
    );
    const { id } = game;
    const open = actionButton('Open', () => this.#options.onOpen(id), { testId: `open-${id}` });
    row.append(text, open);
    return row;
  }

  #fill(row: HTMLLIElement, game: GameSummary): void {
    const [name, detail] = row.querySelectorAll('strong, span');
    if (name !== undefined) name.textContent = game.name;
    const free = game.openSlots.map((slot) => slotRole(slot)).join(', ') || 'none';
    if (detail !== undefined) {
      detail.textContent = `by ${game.createdBy} · ${describeSettings(game.settings)} · free: ${free}`;
    }
    const open = row.querySelector('button');
    if (open !== null) open.setAttribute('aria-label', `Open ${game.name}`);
  }
}
