import { type Proxy, Resolver } from '@msc/eventual';
import {
  type AdmissionPolicy,
  allowAll,
  allowList,
  type Identity,
  identityAuthenticator,
  type PublicIdentity,
} from '@msc/identity';
import { Scope, type ScopeResumeOptions, type Session } from '@msc/session';
import type { Transport } from '@msc/transport';
import type {
  GamePage,
  GamePageRequest,
  GameRedirect,
  GameSummary,
  IGameLauncher,
  ILobby,
} from '../contracts.ts';
import { isLobbyError } from '../lobby-error.ts';
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
  /**
   * How to reach another node of a cluster, whose address a redirect gives (`tcp:host:port`).
   * Default: `transport` (right when it is TCP; a browser cannot follow a redirect to TCP).
   */
  readonly redirectTransport?: Transport | undefined;
  /**
   * Resume the session with the lobby after a network blip (docs/resumption.md): the client redials
   * and the game goes on where it was (the server must offer it: `LobbyServerOptions.resume`).
   * `onEvent` is what a UI shows ("reconnecting..."). Default: none.
   */
  readonly resume?: ScopeResumeOptions<PublicIdentity> | undefined;
}

/** The most other nodes a client keeps a session with at once (the oldest is closed past it). */
const maxOwnerSessions = 8;

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
  readonly #options: LobbyClientOptions;
  /** Sessions with other nodes of a cluster, by address and pinned fingerprint. */
  readonly #owners = new Map<
    string,
    { readonly scope: Scope<PublicIdentity>; readonly lobby: Proxy<ILobby> }
  >();

  private constructor(options: LobbyClientOptions) {
    this.#options = options;
    const authenticator = identityAuthenticator({
      identity: options.identity,
      admission: options.admission ?? allowAll(),
    });
    this.#scope = new Scope<PublicIdentity>({
      transport: options.transport,
      authenticator,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.resume !== undefined ? { resume: options.resume } : {}),
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

  /**
   * Creates a game and watches it (pipelined: no round trip before the view starts). With a
   * `requestId`, a retry with the same id (after a lost answer) gets the same game while it is open,
   * also through another node of a cluster once the directory lists it there (that node refuses
   * with `elsewhere`; the client asks it which game, then follows the redirect as `openGame` does).
   */
  createGame(name: string, requestId?: string): GameView {
    if (requestId === undefined) return this.#track(new GameView(this.lobby.createGame(name)));
    return this.#track(
      new GameView(
        this.#followed(this.lobby.createGame(name, requestId), async () => {
          const id = await this.lobby.findCreated(requestId);
          if (id === null)
            throw new Error(`expected the game of request ${requestId} to be listed, but it is gone`);
          return id;
        }),
      ),
    );
  }

  /**
   * Opens a listed game and watches it. Its `ended` rejects with `no-such-game` if it is not listed.
   *
   * In a cluster, a game another node owns is reached without the caller noticing: the node this
   * client is connected to refuses with `elsewhere`, the client asks it for a redirect (the owner's
   * address, fingerprint and a ticket for this player), opens a session with the owner pinned to
   * that fingerprint and redeems the ticket there for the game's launcher. Every failure on the way
   * (`directory-unavailable`, `bad-ticket`, the owner unreachable) ends the view with that error.
   */
  openGame(id: string): GameView {
    return this.#track(new GameView(this.#followed(this.lobby.openGame(id), async () => id)));
  }

  /**
   * `here`, or, when it is refused with `elsewhere`, the launcher of game `which()` redeemed on the
   * node that owns it (a pipelinable promise of it either way).
   */
  #followed(here: Proxy<IGameLauncher>, which: () => Promise<string>): Proxy<IGameLauncher> {
    const launcher = new Resolver<Proxy<IGameLauncher>>();
    const result = launcher.proxy();
    // The resolver's own promise holds a reference too: drop it, so that disposing the view's
    // launcher really releases the game's launcher (and with it, maybe, the game).
    launcher.promise[Symbol.dispose]();
    here.whenResolved().then(
      () => launcher.resolve(here),
      (error: unknown) => {
        here[Symbol.dispose]();
        if (!isLobbyError(error, 'elsewhere')) return launcher.reject(error);
        (async () => {
          const id = await which();
          const redirect = await this.lobby.redirect(id);
          // A client closed meanwhile dials nobody (its scopes are gone: a new one would leak).
          if (this.closed) throw new Error('expected an open client, but it was closed');
          launcher.resolve(this.#ownerLobby(redirect).redeem(id, redirect.ticket));
        })().catch((followError: unknown) => launcher.reject(followError));
      },
    );
    return result;
  }

  /** The root of a session with the owner in `redirect`, pinned to its fingerprint (made once, then reused). */
  #ownerLobby(redirect: GameRedirect): Proxy<ILobby> {
    const key = `${redirect.address} ${redirect.fingerprint}`;
    const known = this.#owners.get(key);
    if (known !== undefined && !known.scope.closed) return known.lobby;
    if (this.#owners.size >= maxOwnerSessions) {
      const [oldestKey, oldest] = this.#owners.entries().next().value as [
        string,
        { scope: Scope<PublicIdentity> },
      ];
      this.#owners.delete(oldestKey);
      void oldest.scope.close('too many nodes at once');
    }
    const scope = new Scope<PublicIdentity>({
      transport: this.#options.redirectTransport ?? this.#options.transport,
      // Only the owner's key is accepted: the redirect named it, so a wrong address cannot impersonate it.
      authenticator: identityAuthenticator({
        identity: this.#options.identity,
        admission: allowList([redirect.fingerprint]),
      }),
    });
    const lobby = scope.connect<ILobby>(redirect.address);
    const entry = { scope, lobby };
    this.#owners.set(key, entry);
    // A session that failed or ended is not reused: the next redirect dials again.
    const forget = () => {
      if (this.#owners.get(key) !== entry) return;
      this.#owners.delete(key);
      void scope.close('the session with the owner ended');
    };
    lobby.whenResolved().then(() => {
      const session = [...scope.sessions][0];
      if (session === undefined) forget();
      else void session.closed.then(forget);
    }, forget);
    return lobby;
  }

  /** Ends the client's scope: its session ends, pending values abort, the server frees its slots. */
  async close(reason = 'the player left'): Promise<void> {
    for (const view of this.#views) view[Symbol.dispose]();
    this.#views.clear();
    this.lobby[Symbol.dispose]();
    const owners = [...this.#owners.values()];
    this.#owners.clear();
    await Promise.allSettled([
      this.#scope.close(reason),
      ...owners.map((owner) => owner.scope.close(reason)),
    ]);
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
