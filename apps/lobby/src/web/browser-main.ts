/*
 * The browser client: the same LobbyClient, GameView and PlayerView as the terminal client and the
 * bots, over the browser's native WebSocket (`@msc/transport-ws/browser`, whose types name no Node
 * module). Bundled with rollup (`bundle-browser-client.ts`) and served by the lobby's page server.
 *
 * The page's life: open the identity kept in IndexedDB (`identity-store.ts`; made on the first
 * visit); ask for a name once, on the first visit; connect to the page's own origin under that
 * identity; show the live list of open games (`open-games-list.ts`); one game at a time in the game
 * panel (`game-panel.ts`). Everything from the server is shown as text, never as markup (`dom.ts`).
 */
import { enableResumption, enableStreams } from '@msc/session';
import { ws } from '@msc/transport-ws/browser';
import { LobbyClient } from '../client/lobby-client.ts';
import { actionButton, byId, textElement } from './dom.ts';
import { errorCode, errorText } from './error-text.ts';
import { GamePanel } from './game-panel.ts';
import { IdentityStore } from './identity-store.ts';
import { OpenGamesList } from './open-games-list.ts';

// The lobby's events and the open-games list arrive as sequences, and the page's session survives a
// network blip (docs/resumption.md); the browser entry of @msc/session leaves both out unless a page
// enables them, so pages that need neither stay small.
enableStreams();
enableResumption();

const maxErrorsShown = 3;

/** Shows `error` at the top of the page (newest first, at most three), with a Dismiss button. */
function showError(error: unknown): void {
  const errors = byId('errors');
  const item = textElement('div', '', { className: 'error', testId: 'error' });
  const code = errorCode(error);
  if (code !== undefined) item.dataset['code'] = code;
  item.append(
    textElement('span', errorText(error), { testId: 'error-text' }),
    actionButton('Dismiss', () => item.remove(), { className: 'secondary' }),
  );
  errors.prepend(item);
  while (errors.childElementCount > maxErrorsShown) errors.lastElementChild?.remove();
}

function status(line: string, state: 'connecting' | 'connected' | 'reconnecting' | 'disconnected'): void {
  const element = byId('status');
  element.textContent = line;
  element.dataset['state'] = state;
  element.dataset['connected'] = String(state === 'connected');
}

/** Shows the name form (prefilled with `current`) and resolves once a good name was kept. */
function askName(store: IdentityStore, current: string | null): Promise<void> {
  const welcome = byId('welcome');
  const form = byId<HTMLFormElement>('name-form');
  const input = byId<HTMLInputElement>('name-input');
  welcome.hidden = false;
  byId('games-panel').hidden = true;
  input.value = current ?? '';
  input.focus();
  return new Promise((resolve) => {
    const submit = (event: SubmitEvent) => {
      event.preventDefault();
      store.setName(input.value).then(() => {
        form.removeEventListener('submit', submit);
        welcome.hidden = true;
        resolve();
      }, showError);
    };
    form.addEventListener('submit', submit);
  });
}

async function main(): Promise<void> {
  const store = await IdentityStore.open();
  if (store.name === null) {
    status('Welcome: choose a name to play under.', 'disconnected');
    await askName(store, null);
  }
  const identity = await store.identity();
  document.title = `MSC lobby: ${identity.name}`;
  status('Connecting…', 'connecting');
  let connected = true;
  const client = LobbyClient.connect({
    identity,
    transport: ws(),
    address: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/msc`,
    // When the WebSocket drops (Wi-Fi, a laptop lid), the page redials and resumes its session within
    // the grace window: seats, games and streams go on, and what was missed arrives. Past the window
    // (or with a server that does not offer it), the session ends as before: see `closed` below.
    resume: {
      onEvent: (event) => {
        if (!connected) return;
        if (event.type === 'disconnected') status('Connection lost: reconnecting…', 'reconnecting');
        else if (event.type === 'resuming')
          status(`Connection lost: reconnecting (attempt ${event.attempt})…`, 'reconnecting');
        else if (event.type === 'resumed') status('Connected', 'connected');
      },
    },
  });
  const me = await client.lobby.whoAmI();
  status('Connected', 'connected');
  byId('me-name').textContent = me.name;
  byId('me-fingerprint').textContent = me.fingerprint;
  byId('me').dataset['fingerprint'] = me.fingerprint;
  byId('me').hidden = false;
  let panel: GamePanel | undefined;
  const games = new OpenGamesList(client, {
    list: byId('games'),
    updated: byId('games-updated'),
    onOpen: (gameId) => open(client.openGame(gameId), false),
    onError: showError,
  });
  const showLobby = () => {
    panel = undefined;
    // What went wrong in the game just left is no news in the lobby.
    byId('errors').replaceChildren();
    if (!connected) return;
    byId('games-panel').hidden = false;
    games.start();
  };
  const open = (view: ReturnType<LobbyClient['openGame']>, host: boolean) => {
    panel?.close();
    games.stop();
    byId('games-panel').hidden = true;
    panel = new GamePanel(view, { name: me.name, host, onError: showError, onClose: showLobby });
  };

  void client.session?.closed.then((reason) => {
    connected = false;
    status(`Disconnected: ${reason.message}. Reload the page to connect again.`, 'disconnected');
    games.stop();
    byId('games-panel').hidden = true;
  });

  byId('create-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('game-name');
    const name = input.value.trim() || `${me.name}'s game`;
    input.value = '';
    open(client.createGame(name), true);
  });
  byId('rename').addEventListener('click', () => {
    // The name is part of the identity's handshake: a new name takes a new session, so reload.
    panel?.close();
    games.stop();
    void askName(store, store.name).then(() => location.reload());
  });
  window.addEventListener('pagehide', () => {
    panel?.close();
    void client.close();
  });
  showLobby();
}

main().catch((error: unknown) => {
  status('Not connected', 'disconnected');
  showError(error);
});
