/*
 * The browser client: the same LobbyClient, GameView and PlayerView as the terminal client and the
 * bots, over the browser's native WebSocket (`@msc/transport-ws` under the `browser` condition).
 * Bundled with rollup (see `bundle-browser-client.ts`) and served by the lobby server on its
 * WebSocket port. The page's identity is generated per page load; its name comes from `?name=`.
 */

import type { Proxy } from '@msc/eventual';
import { Identity } from '@msc/identity';
import { ws } from '@msc/transport-ws';
import { joinSlot } from '../client/bot.ts';
import type { GameView } from '../client/game-view.ts';
import { LobbyClient } from '../client/lobby-client.ts';
import type { PlayerView } from '../client/player-view.ts';
import type { IJoinedPlayer } from '../contracts.ts';
import { describeSettings } from '../settings.ts';
import { describeGameEvent, describeLauncherEvent } from '../story.ts';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const text = (tag: string, content: string, testId?: string) => {
  const element = document.createElement(tag);
  element.textContent = content;
  if (testId !== undefined) element.dataset['testid'] = testId;
  return element;
};
const button = (label: string, testId: string, onClick: () => void) => {
  const element = text('button', label, testId) as HTMLButtonElement;
  element.addEventListener('click', onClick);
  return element;
};

const name = new URLSearchParams(location.search).get('name') ?? `web${Math.floor(Math.random() * 1000)}`;
let client: LobbyClient;
let view: GameView | undefined;
let membership: Proxy<IJoinedPlayer> | undefined;
let player: PlayerView | undefined;

function status(line: string): void {
  byId('status').textContent = line;
}

function fail(error: unknown): void {
  const line =
    error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
      ? `${(error as Error).name}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ''}: ${(error as Error).message}`
      : String(error);
  const log = byId('errors');
  log.prepend(text('li', line, 'error'));
}

/** Shows the first page of open games, or appends the page after `after`, with a More button. */
async function refresh(after: string | null = null): Promise<void> {
  const { games, next } = await client.listGames({ after });
  const list = byId('games');
  if (after === null) list.replaceChildren();
  else list.querySelector('[data-testid=more-games]')?.closest('li')?.remove();
  for (const game of games) {
    const item = text(
      'li',
      `${game.id} "${game.name}" by ${game.createdBy}: ${describeSettings(game.settings)}; free ${game.openSlots.join(', ')} `,
    );
    item.append(button('Open', `open-${game.id}`, () => watch(client.openGame(game.id))));
    list.append(item);
  }
  if (games.length === 0 && after === null) list.append(text('li', 'no open games'));
  if (next !== null) {
    const item = document.createElement('li');
    item.append(button('More', 'more-games', () => void refresh(next).catch(fail)));
    list.append(item);
  }
}

function watch(next: GameView): void {
  view?.[Symbol.dispose]();
  view = next;
  byId('game').hidden = false;
  byId('log').replaceChildren();
  next.onEvent((event, current) => {
    byId('log').append(text('li', describeLauncherEvent(event)));
    renderGame(current);
  });
  next.ended.catch(fail);
}

function renderGame(current: GameView): void {
  byId('game-title').textContent = `${current.gameId} "${current.gameName}" (${current.phase})`;
  byId('lsn').textContent = String(current.lsn);
  byId('settings').textContent = current.settings ? describeSettings(current.settings) : '';
  const slots = byId('slots');
  slots.replaceChildren();
  for (const slot of current.slots) {
    const item = text('li', `slot ${slot.slot} (${slot.role}): ${slot.name ?? 'free'} `, `slot-${slot.slot}`);
    if (slot.name === null && membership === undefined && current.phase === 'open') {
      item.append(button('Join', `join-${slot.slot}`, () => void join(slot.slot)));
    }
    slots.append(item);
  }
}

async function join(slot: number): Promise<void> {
  if (view === undefined) return;
  const seat = await joinSlot(view, slot, name);
  membership = seat.membership;
  renderGame(view);
  void seat.launched.then(play);
}

function play(seat: PlayerView): void {
  player = seat;
  byId('play').hidden = false;
  const render = () => {
    const board = byId('board');
    board.style.gridTemplateColumns = `repeat(${seat.boardSize}, 3em)`;
    board.replaceChildren();
    seat.board.forEach((mark, cell) => {
      const square = button(mark ?? '', `cell-${cell}`, () => void seat.move(cell).catch(fail));
      square.disabled = mark !== null || !seat.myTurn;
      board.append(square);
    });
    byId('play-status').textContent = seat.myTurn
      ? `your turn (${seat.info.role}), round ${seat.round}`
      : seat.turn === null
        ? `round ${seat.round}, score X ${seat.score.X} : O ${seat.score.O}`
        : `waiting for ${seat.turn}`;
  };
  seat.onEvent((event, current) => {
    for (const line of describeGameEvent(event, current.board, current.boardSize))
      byId('moves').append(text('li', line));
    render();
  });
  void seat.outcome.then((outcome) => {
    byId('play-status').textContent =
      outcome.kind === 'ended'
        ? `game over: ${outcome.event.message}`
        : `game failed: ${String(outcome.error)}`;
    byId('play-status').dataset['over'] = 'true';
  });
  render();
}

async function main(): Promise<void> {
  document.title = `MSC lobby: ${name}`;
  const address = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/msc`;
  client = LobbyClient.connect({
    identity: await Identity.generate({ name }),
    transport: ws(),
    address,
  });
  const me = await client.lobby.whoAmI();
  status(`connected as ${me.name} (${me.fingerprint})`);
  byId('status').dataset['connected'] = 'true';
  byId('create').addEventListener('click', () => {
    const input = byId<HTMLInputElement>('game-name');
    watch(client.createGame(input.value || `${name}'s game`));
  });
  byId('refresh').addEventListener('click', () => void refresh(null).catch(fail));
  byId('chat-send').addEventListener('click', () => {
    const input = byId<HTMLInputElement>('chat-text');
    void view?.say(input.value).then(() => (input.value = ''), fail);
  });
  byId('rounds').addEventListener('change', (event) => {
    void view
      ?.change({ kind: 'rounds', rounds: Number((event.target as HTMLSelectElement).value) })
      .catch(fail);
  });
  byId('board-size').addEventListener('change', (event) => {
    void view
      ?.change({ kind: 'board-size', boardSize: Number((event.target as HTMLSelectElement).value) })
      .catch(fail);
  });
  byId('launch').addEventListener('click', () => void view?.launch().catch(fail));
  byId('leave').addEventListener('click', () => {
    const held = membership;
    membership = undefined;
    void held
      ?.leave()
      .catch(fail)
      .finally(() => held[Symbol.dispose]());
  });
  window.addEventListener('pagehide', () => {
    player?.[Symbol.dispose]();
    void client.close();
  });
  await refresh();
}

main().catch((error: unknown) => {
  status('not connected');
  fail(error);
});
