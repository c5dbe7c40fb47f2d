import type { Proxy } from '@msc/eventual';
import {
  type AdmissionPolicy,
  allowAll,
  type Identity,
  identityAuthenticator,
  type PublicIdentity,
} from '@msc/identity';
import { Scope, type Session } from '@msc/session';
import type { Transport } from '@msc/transport';
import type { GamePage, GamePageRequest, GameSummary, ILobby } from '../contracts.ts';
import { GameView } from './game-view.ts';

/** Options of {@link LobbyClient.connect}. */
export interface LobbyClientOptions {
  /** The player's identity (its display name is the name the lobby knows it by). */
  readonly identity: Identity;
  /** How to reach the server. */
  readonly transport: Transport;
  /** The server's address on that transport. */
  readonly address: string;
  /** Which servers this client accepts, after they proved their key. Default: `allowAll()`. */
  readonly admission?: AdmissionPolicy | undefined;
  /** Aborting it ends the client's scope (like `close()`). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A player's connection to a lobby server: a scope with one session (RPC5), authenticated with the
 * player's identity, and the lobby's root capability. The same code drives the terminal client, the
 * bots and the browser page. Closing the client ends its scope: everything pending aborts, and the
 * server frees the slots it held.
 *
 * @example
 * ```ts
 * const client = LobbyClient.connect({ identity, transport: tcp(), address: '127.0.0.1:7000' });
 * const game = client.createGame('friday night');
 * await game.until((view) => view.lsn >= 0);
 * const seat = await game.join(0, 'ada', (player, info) => { ... });
 * ```
 */
export class LobbyClient implements AsyncDisposable {
  /** The lobby's root capability (usable at once; calls flow once the session is established). */
  readonly lobby: Proxy<ILobby>;
  readonly #scope: Scope<PublicIdentity>;
  readonly #views = new Set<GameView>();

  private constructor(options: LobbyClientOptions) {
    const authenticator = identityAuthenticator({
      identity: options.identity,
      admission: options.admission ?? allowAll(),
    });
    this.#scope = new Scope<PublicIdentity>({
      transport: options.transport,
      authenticator,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    this.lobby = this.#scope.connect<ILobby>(options.address);
  }

  /** Connects (the returned client is usable at once; the first call fails if the connection does). */
  static connect(options: LobbyClientOptions): LobbyClient {
    return new LobbyClient(options);
  }

  /** The client's session, once established (`undefined` before, or after it ended). */
  get session(): Session<PublicIdentity> | undefined {
    return [...this.#scope.sessions][0];
  }

  /** The server's authenticated identity (once the session is established). */
  get server(): PublicIdentity | undefined {
    return this.session?.peer;
  }

  /** Whether the client has been closed. */
  get closed(): boolean {
    return this.#scope.closed;
  }

  /** Resolves once the session is established; rejects with why it could not be. */
  async ready(): Promise<void> {
    await this.lobby.whenResolved();
  }

  /**
   * One page of the open games, oldest first; pass the page's `next` as `after` for the next one.
   * The server caps the page size (50 by default).
   */
  listGames(page: GamePageRequest = {}): Promise<GamePage> {
    return this.lobby.listGames(page);
  }

  /**
   * The first open game `predicate` accepts, following pages (at most `maxPages`, default 20).
   * Resolves `undefined` when none of those pages has one.
   */
  async findGame(predicate: (game: GameSummary) => boolean, maxPages = 20): Promise<GameSummary | undefined> {
    let after: string | null = null;
    for (let page = 0; page < maxPages; page++) {
      const { games, next }: GamePage = await this.lobby.listGames({ after });
      const found = games.find(predicate);
      if (found !== undefined || next === null) return found;
      after = next;
    }
    return undefined;
  }

  /** Creates a game and watches it (pipelined: no round trip before the view starts). */
  createGame(name: string): GameView {
    return this.#track(new GameView(this.lobby.createGame(name)));
  }

  /** Opens a listed game and watches it. Its `ended` rejects with `no-such-game` if it is not listed. */
  openGame(id: string): GameView {
    return this.#track(new GameView(this.lobby.openGame(id)));
  }

  /** Ends the client's scope: its session ends, pending values abort, the server frees its slots. */
  async close(reason = 'the player left'): Promise<void> {
    for (const view of this.#views) view[Symbol.dispose]();
    this.#views.clear();
    this.lobby[Symbol.dispose]();
    await this.#scope.close(reason);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #track(view: GameView): GameView {
    this.#views.add(view);
    // After `launched` or `closed` (or a failed stream) the launcher can do nothing more: release it.
    const done = () => {
      this.#views.delete(view);
      view[Symbol.dispose]();
    };
    void view.ended.then(done, done);
    return view;
  }
}
