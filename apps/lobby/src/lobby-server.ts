import {
  type AdmissionPolicy,
  allowAll,
  type Identity,
  identityAuthenticator,
  type PublicIdentity,
} from '@msc/identity';
import {
  Scope,
  type ScopeResumeOptions,
  type Session,
  type SessionLimitOverrides,
  type SessionLimits,
} from '@msc/session';
import type { Logger, Transport } from '@msc/transport';
import type { GameHost } from './game-host.ts';
import { inProcessGameHost } from './in-process-game-host.ts';
import { Lobby } from './lobby.ts';
import type { LobbyDirectory } from './lobby-directory.ts';
import type { LobbyLimitOverrides } from './lobby-limits.ts';
import { OutputBudget } from './output-budget.ts';
import { PlayerConnection } from './player-connection.ts';
import { cleanText, printable } from './text-rules.ts';

/** Options of {@link LobbyServer}. */
export interface LobbyServerOptions {
  /** The server's identity: players authenticate it (and it them) in every session. */
  readonly identity: Identity;
  /** Who is let in, decided after the player proved its key. Default: `allowAll()`. */
  readonly admission?: AdmissionPolicy | undefined;
  /** Where launched games run. Default: {@link inProcessGameHost}. */
  readonly gameHost?: GameHost | undefined;
  /** A line for each notable event (sessions, games). Default: nothing. */
  readonly log?: ((line: string) => void) | undefined;
  /**
   * Where every scope of the server reports sessions refused, failed handshakes, limits hit and
   * sessions ended abnormally (`ScopeOptions.logger`; `console` fits). Default: nothing.
   */
  readonly logger?: Logger | undefined;
  /** Aborting it shuts the server down (like `close()`). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Session limits of every player session. The lobby's defaults differ from the session's in
   * one: `maxBufferedBytes` is 4 MiB (a lobby's answers and events are small; a peer that leaves
   * more than that unread is not reading).
   */
  readonly limits?: SessionLimitOverrides | undefined;
  /** The lobby's limits: games, watchers, backlogs, page sizes, chat and settings rates (see `LobbyLimits`). */
  readonly lobbyLimits?: LobbyLimitOverrides | undefined;
  /**
   * Most bytes all player sessions together may have waiting to be sent; past it the sessions
   * holding the most are ended (see `OutputBudget`). Default 128 MiB.
   */
  readonly maxBufferedBytesTotal?: number | undefined;
  /** In a cluster: the directory of every node's games (see `ClusterNode`). Default: none, a lobby alone. */
  readonly directory?: LobbyDirectory | undefined;
  /**
   * Player sessions that survive a network blip (docs/resumption.md): a player whose connection drops
   * keeps its seat, games and capabilities for `graceMs` and, when its client resumes, gets what it
   * missed; past the window its session ends and it forfeits as without this. Clients must ask for it
   * too (`LobbyClientOptions.resume`). The other seats of the player's running games are told
   * (`player-connection`: `reconnecting`, `reconnected`, `lost`); the log says `<player> reconnecting`
   * / `resumed` / `lost`. Default: none.
   */
  readonly resume?: ScopeResumeOptions<PublicIdentity> | undefined;
}

/** The lobby's default session limits (on top of the session's own defaults). */
export const lobbySessionLimits: Partial<SessionLimits> = { maxBufferedBytes: 4 * 1024 * 1024 };

/** The default of {@link LobbyServerOptions.maxBufferedBytesTotal}: 128 MiB. */
export const defaultMaxBufferedBytesTotal = 128 * 1024 * 1024;

/**
 * A lobby server: one {@link Lobby} reachable over any number of transports. Each `listen` makes a
 * scope (RPC5) that owns the sessions it accepts; every session is authenticated with the server's
 * identity and gets a root chosen for the authenticated peer. Shutting down ends every scope, so
 * every player's pending values abort with `AbortedError`, and stops every running game.
 *
 * @example
 * ```ts
 * const server = new LobbyServer({ identity: await Identity.generate({ name: 'lobby' }) });
 * const address = await server.listen(memory(), 'memory:lobby');
 * // ... players connect with LobbyClient.connect(...)
 * await server.close();
 * ```
 */
export class LobbyServer implements AsyncDisposable {
  /** The lobby behind every session (for diagnostics and tests). */
  readonly lobby: Lobby;
  readonly #options: LobbyServerOptions;
  readonly #gameHost: GameHost;
  readonly #scopes = new Set<Scope<PublicIdentity>>();
  readonly #addresses: string[] = [];
  readonly #owned: (() => Promise<void>)[] = [];
  /** The server-wide budget of buffered output, counted while the server runs. */
  readonly outputBudget: OutputBudget;
  /** Each player session's connection, by the peer its authenticator made (see {@link #connectionOf}). */
  readonly #connections = new WeakMap<PublicIdentity, PlayerConnection>();
  #closing: Promise<void> | undefined;

  /** @throws RangeError when a lobby limit is not a positive integer */
  constructor(options: LobbyServerOptions) {
    const log = options.log;
    // Names and reasons in log lines come from peers: printable() keeps escapes off the terminal.
    this.#options = log === undefined ? options : { ...options, log: (line) => log(printable(line)) };
    this.#gameHost = options.gameHost ?? inProcessGameHost();
    this.lobby = new Lobby({
      gameHost: this.#gameHost,
      ...(options.log ? { log: options.log } : {}),
      ...(options.lobbyLimits ? { limits: options.lobbyLimits } : {}),
      ...(options.directory ? { directory: options.directory } : {}),
    });
    this.outputBudget = new OutputBudget({
      maxBytes: options.maxBufferedBytesTotal ?? defaultMaxBufferedBytesTotal,
      ...(this.#options.log ? { log: this.#options.log } : {}),
    });
    if (options.signal?.aborted) void this.close();
    else options.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  /** The addresses listened on, as bound (real ports when listening on port 0). */
  get addresses(): readonly string[] {
    return this.#addresses;
  }

  /** The player sessions alive now, over every transport. */
  get sessions(): Session<PublicIdentity>[] {
    return [...this.#scopes].flatMap((scope) => [...scope.sessions]);
  }

  /** Where games run. */
  get gameHost(): GameHost {
    return this.#gameHost;
  }

  /**
   * Listens on `address` over `transport`, in a scope of its own.
   *
   * @returns the bound address
   * @throws what the transport throws for a bad or busy address; Error after `close()`
   */
  async listen(transport: Transport, address: string): Promise<string> {
    if (this.#closing !== undefined) throw new Error('expected a running server, but it was closed');
    const log = this.#options.log;
    const authenticator = identityAuthenticator({
      identity: this.#options.identity,
      admission: this.#options.admission ?? allowAll(),
    });
    const scope = new Scope<PublicIdentity>({
      // Every accepted connection counts against the server-wide output budget.
      transport: this.outputBudget.wrap(transport),
      authenticator,
      // The root is chosen after authentication: a facet that acts as this peer (RPC3 root capability).
      // The display name is self-asserted: shown to others cleaned like any player text.
      root: (peer) =>
        this.lobby.rootFor({
          name: cleanText(peer.name ?? '') || 'anonymous',
          fingerprint: peer.fingerprint,
          connection: this.#options.resume !== undefined ? this.#connectionOf(peer) : undefined,
          transport: transport.name,
        }),
      limits: sessionLimits(this.#options.limits),
      logger: this.#options.logger,
      ...(this.#options.resume !== undefined ? { resume: this.#resumeOptions(this.#options.resume) } : {}),
      ...(log !== undefined
        ? {
            onSession: (session: Session<PublicIdentity>) => {
              session.established.then(
                () => log(`${session.peer} connected over ${transport.name}`),
                () => {},
              );
              void session.closed.then((reason) => {
                if (session.peer !== undefined) log(`${session.peer} disconnected (${reason.message})`);
              });
            },
          }
        : {}),
    });
    this.#scopes.add(scope);
    this.outputBudget.start();
    const listener = await scope.listen(address);
    this.#addresses.push(listener.address);
    log?.(`listening on ${listener.address}`);
    return listener.address;
  }

  /**
   * The connection of the session authenticated as `peer` (made on first ask). Keyed by the peer
   * object the session's authenticator made, which is the session's own (`identityAuthenticator`
   * makes one per authentication, and a resume keeps the session's first): the root is chosen with
   * it, and `session.peer` is it in the resume events.
   */
  #connectionOf(peer: PublicIdentity): PlayerConnection {
    let connection = this.#connections.get(peer);
    if (connection === undefined) {
      connection = new PlayerConnection();
      this.#connections.set(peer, connection);
    }
    return connection;
  }

  /**
   * The scope's resume options: each player's blips go to its {@link PlayerConnection} (so the other
   * seats of its games see it reconnecting) and to the server's log.
   */
  #resumeOptions(resume: ScopeResumeOptions<PublicIdentity>): ScopeResumeOptions<PublicIdentity> {
    const log = this.#options.log;
    return {
      ...resume,
      onEvent: (event, session) => {
        const peer = session.peer;
        const connection = peer === undefined ? undefined : this.#connections.get(peer);
        if (event.type === 'disconnected') {
          connection?.set('reconnecting');
          log?.(`${peer} reconnecting (${event.reason})`);
        } else if (event.type === 'resumed') {
          connection?.set('connected');
          log?.(`${peer} resumed`);
        } else if (event.type === 'lost') {
          connection?.set('lost');
          log?.(`${peer} lost (${event.reason})`);
        }
        resume.onEvent?.(event, session);
      },
    };
  }

  /**
   * Hands a resource to the server, to be closed at shutdown after the scopes (an HTTP server the
   * WebSocket listener is attached to, for example).
   */
  own(close: () => Promise<void>): void {
    this.#owned.push(close);
  }

  /**
   * Shuts down: ends every scope (and so every player session: their pending values abort), closes
   * the open games and stops the running ones. Resolves when all of it is done. Idempotent.
   */
  close(reason = 'the lobby server shut down'): Promise<void> {
    this.#closing ??= (async () => {
      this.outputBudget.stop();
      await Promise.allSettled([...this.#scopes].map((scope) => scope.close(reason)));
      await this.lobby.close();
      await this.#gameHost.close();
      await Promise.allSettled(this.#owned.map((close) => close()));
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** {@link lobbySessionLimits} with `overrides` applied; an `undefined` override keeps the lobby's default. */
function sessionLimits(overrides: SessionLimitOverrides | undefined): SessionLimitOverrides {
  const limits: Record<string, number | undefined> = { ...lobbySessionLimits };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value !== undefined) limits[name] = value;
  }
  return limits;
}
