import { type Proxy, proxy, Resolver, type Sequence } from '@msc/eventual';
import { launcherSchemas, lobbySchemas, membershipSchemas } from './argument-schemas.ts';
import type {
  GamePage,
  GamePageRequest,
  GameRedirect,
  GameResult,
  IClientLauncher,
  IGameLauncher,
  IJoinedPlayer,
  ILobby,
  LauncherEvent,
  LaunchInfo,
} from './contracts.ts';
import { slotRole } from './contracts.ts';
import { delay } from './delay.ts';
import type { GameHost, HostedGame, HostedGameEnd } from './game-host.ts';
import { compareGameIds } from './game-id.ts';
import { KeyCounts } from './key-counts.ts';
import { LauncherGame, type PeerInfo, type SlotHolder } from './launcher-game.ts';
import type { LobbyDirectory } from './lobby-directory.ts';
import { LobbyError } from './lobby-error.ts';
import { type LobbyLimitOverrides, type LobbyLimits, lobbyLimits } from './lobby-limits.ts';
import { SeatConnectionRelay } from './player-connection.ts';
import { joinCost, type LauncherRates, LobbyRateLimits } from './rate-limit.ts';
import { SessionRates } from './session-rates.ts';
import type { GameSettings, SettingsChange } from './settings.ts';
import { printable } from './text-rules.ts';
import { BacklogBudget } from './watcher-backlog.ts';

/** A launched game, as the lobby tracks it until its failure domain is gone. */
export interface RunningGame {
  readonly id: string;
  readonly name: string;
  readonly settings: GameSettings;
  readonly players: LaunchInfo['players'];
  readonly hosted: HostedGame;
  /** Settles with how the match ended, or with the crash (never rejects). */
  readonly outcome: Promise<{ readonly result?: GameResult; readonly end: HostedGameEnd }>;
}

/** Options of {@link Lobby}. */
export interface LobbyOptions {
  /** Where launched games run. */
  readonly gameHost: GameHost;
  /**
   * A line for each notable event (games created, launched, ended, crashed), with control and
   * invisible characters removed. Default: nothing.
   */
  readonly log?: ((line: string) => void) | undefined;
  /** Limits on games, watchers and backlogs (see {@link LobbyLimits}). Default: {@link defaultLobbyLimits}. */
  readonly limits?: LobbyLimitOverrides | undefined;
  /** In a cluster: the directory this node publishes its games to and lists other nodes' from. */
  readonly directory?: LobbyDirectory | undefined;
}

/**
 * The lobby's state: the open games (launchers) and the running ones. Players never hold the lobby
 * itself: each session gets a {@link LobbyFacet} that closes over the peer's authenticated identity.
 */
export class Lobby {
  readonly #options: LobbyOptions;
  readonly #open = new Map<string, LauncherGame>();
  readonly #running = new Map<string, RunningGame>();
  /** Open games by their creator's fingerprint and request id (idempotent creation; as many as open games). */
  readonly #byRequest = new Map<string, LauncherGame>();
  /** Creations waiting for their request's reservation, by fingerprint and request id (at most one each). */
  readonly #reserving = new Map<string, Promise<LauncherGame>>();
  /** Creations waiting for a reservation, per creator's fingerprint: they count as open games against the limits. */
  readonly #reservingByPlayer = new KeyCounts();
  /** Open games per creator's fingerprint (for `maxOpenGamesPerPlayer`). */
  readonly #openByPlayer = new KeyCounts();
  /** Games launching (past the decision, not yet running): they count against `maxRunningGames`. */
  #launching = 0;
  /** X and O seats per fingerprint in launching and running games (for `maxRunningSeatsPerPlayer`). */
  readonly #runningSeats = new KeyCounts();
  readonly #budget: BacklogBudget;
  #nextId = 1;
  #closed = false;

  /** The limits in force. */
  readonly limits: LobbyLimits;

  /** @throws RangeError when a limit override is not a positive integer */
  constructor(options: LobbyOptions) {
    this.#options = options;
    this.limits = lobbyLimits(options.limits);
    this.#budget = new BacklogBudget(this.limits);
    this.rateLimits = new LobbyRateLimits(this.limits);
  }

  /** @internal for the facets: the rate limits on chat, settings changes, joins and leaves. */
  readonly rateLimits: LobbyRateLimits;

  /** The root capability for a session with `peer`. */
  rootFor(peer: PeerInfo): Proxy<ILobby> {
    return proxy<ILobby>(new LobbyFacet(this, peer), { validate: lobbySchemas(this.limits.maxPageSize) });
  }

  /** Watchers (event streams) open now, and the bytes they hold not yet taken (as last counted). */
  get watcherBacklog(): { readonly watchers: number; readonly bytes: number } {
    return { watchers: this.#budget.watchers.size, bytes: this.#budget.bytes };
  }

  /** Open games, oldest first. */
  get openGames(): readonly LauncherGame[] {
    return [...this.#open.values()];
  }

  /** Games launched whose failure domain is still alive. */
  get runningGames(): readonly RunningGame[] {
    return [...this.#running.values()];
  }

  /**
   * @internal for the facets: the game, or (in a cluster, for a request id, while the directory
   * can be reached) a promise of it once the request is reserved (see `LobbyDirectory.reserve`).
   * @throws LobbyError `limit` past `maxOpenGames` or the creator's `maxOpenGamesPerPlayer`;
   *   `elsewhere` when another node has the request's game; what the reservation throws
   */
  createGame(name: string, createdBy: PeerInfo, requestId?: string): LauncherGame | Promise<LauncherGame> {
    this.#checkOpen();
    const requestKey = requestId === undefined ? undefined : `${createdBy.fingerprint} ${requestId}`;
    const earlier = requestKey === undefined ? undefined : this.#byRequest.get(requestKey);
    if (earlier !== undefined) return earlier;
    // The same request again while this node reserves it: the same answer.
    const reserving = requestKey === undefined ? undefined : this.#reserving.get(requestKey);
    if (reserving !== undefined) return reserving;
    const directory = this.#options.directory;
    const elsewhere =
      requestId === undefined ? undefined : directory?.createdElsewhere(createdBy.fingerprint, requestId);
    if (elsewhere !== undefined) throw elsewhereError(requestId as string, elsewhere);
    this.#checkCreationLimits(createdBy);
    const id = `g${this.#nextId++}${directory?.idSuffix ?? ''}`;
    const reservation =
      requestId === undefined ? undefined : directory?.reserve(createdBy.fingerprint, requestId, id);
    if (reservation === undefined || requestKey === undefined || requestId === undefined)
      return this.#create(id, name, createdBy, requestId);
    const player = createdBy.fingerprint;
    this.#reservingByPlayer.add(player);
    const settled = () => {
      this.#reserving.delete(requestKey);
      this.#reservingByPlayer.remove(player);
    };
    const created = reservation.then(
      (outcome) => {
        settled();
        if (outcome.kind === 'existing') {
          const here = this.#open.get(outcome.game);
          if (here !== undefined) return here;
          throw elsewhereError(requestId, outcome.game);
        }
        try {
          // What held before the reservation may not hold after it.
          this.#checkOpen();
          this.#checkCreationLimits(createdBy);
          return this.#create(id, name, createdBy, requestId);
        } catch (error) {
          directory?.release(id);
          throw error;
        }
      },
      (error: unknown) => {
        settled();
        throw error;
      },
    );
    this.#reserving.set(requestKey, created);
    return created;
  }

  #checkOpen(): void {
    if (this.#closed) throw new LobbyError('game-closed', 'expected an open lobby, but it is shutting down');
  }

  #checkCreationLimits(createdBy: PeerInfo): void {
    const { maxOpenGames, maxOpenGamesPerPlayer } = this.limits;
    // A creation waiting for its reservation counts as open: a player cannot pile up reservations.
    if (this.#open.size + this.#reserving.size >= maxOpenGames) {
      throw new LobbyError(
        'limit',
        `expected fewer than ${maxOpenGames} open games (maxOpenGames), but the lobby has that many: join one, or try again later`,
      );
    }
    const owned =
      this.#openByPlayer.of(createdBy.fingerprint) + this.#reservingByPlayer.of(createdBy.fingerprint);
    if (owned >= maxOpenGamesPerPlayer) {
      throw new LobbyError(
        'limit',
        `expected a player to have fewer than ${maxOpenGamesPerPlayer} open games (maxOpenGamesPerPlayer), but you have ${owned}: launch or leave one first`,
      );
    }
  }

  #create(id: string, name: string, createdBy: PeerInfo, requestId: string | undefined): LauncherGame {
    const directory = this.#options.directory;
    const requestKey = requestId === undefined ? undefined : `${createdBy.fingerprint} ${requestId}`;
    const game = new LauncherGame(
      id,
      name,
      createdBy.name,
      {
        beforeLaunch: (launching) => {
          this.#checkRunningLimit();
          this.#checkRunningSeats(launching.holders);
        },
        beforeJoin: (_joined, peer, slot) => this.#checkSeatToJoin(peer, slot),
        launch: (launched, holders) => this.#launch(launched, holders),
        watcherDropped: (dropped, error) =>
          this.#log(`game ${dropped.id}: dropped a watcher: ${error.message}`),
        changed: (changed) => directory?.gameChanged(changed),
        unlist: (unlisted) => {
          if (requestKey !== undefined) this.#byRequest.delete(requestKey);
          if (!this.#open.delete(unlisted.id)) return;
          directory?.gameUnlisted(unlisted);
          this.#openByPlayer.remove(createdBy.fingerprint);
        },
      },
      this.#budget,
    );
    this.#open.set(id, game);
    if (requestKey !== undefined) this.#byRequest.set(requestKey, game);
    if (requestId !== undefined) directory?.gameRequested(game, createdBy.fingerprint, requestId);
    this.#openByPlayer.add(createdBy.fingerprint);
    directory?.gameChanged(game);
    this.#log(`${createdBy.name} created game ${id} "${name}"`);
    return game;
  }

  /**
   * @internal for the facets: one page of the open games, oldest first (ids grow with creation,
   * and the map keeps creation order).
   */
  listGames(page: GamePageRequest): GamePage {
    const limit = Math.min(page.limit ?? this.limits.defaultPageSize, this.limits.maxPageSize);
    const directory = this.#options.directory;
    if (directory !== undefined) return directory.listGames(page, [...this.#open.values()], limit);
    const after = page.after;
    const games: LauncherGame[] = [];
    let more = false;
    for (const game of this.#open.values()) {
      if (typeof after === 'string' && compareGameIds(game.id, after) <= 0) continue;
      if (games.length === limit) {
        more = true;
        break;
      }
      games.push(game);
    }
    return {
      games: games.map((game) => game.summary()),
      next: more ? (games.at(-1)?.id ?? null) : null,
    };
  }

  /**
   * @internal for the facets
   * @throws LobbyError `elsewhere` when another node of the cluster owns it, `no-such-game`
   */
  findGame(id: string): LauncherGame {
    const game = this.#open.get(id);
    if (game !== undefined) return game;
    if (this.#options.directory?.ownedElsewhere(id))
      throw new LobbyError(
        'elsewhere',
        `expected a game of this node, but another node owns ${id}: ask redirect(${JSON.stringify(id)}) for its address and a ticket`,
      );
    throw new LobbyError('no-such-game', `expected the id of an open game, got ${JSON.stringify(id)}`);
  }

  /** @internal for the facets: the open game `peer` created with `requestId`, here or on another node. */
  findCreated(requestId: string, peer: PeerInfo): string | null {
    const local = this.#byRequest.get(`${peer.fingerprint} ${requestId}`);
    if (local !== undefined) return local.id;
    return this.#options.directory?.createdElsewhere(peer.fingerprint, requestId) ?? null;
  }

  /**
   * @internal for the facets
   * @throws LobbyError `game-closed` for a game of this node or without a cluster; what the directory throws
   */
  async redirect(id: string, peer: PeerInfo): Promise<GameRedirect> {
    const directory = this.#options.directory;
    if (directory === undefined)
      throw new LobbyError('game-closed', 'expected a cluster node, but this lobby runs alone: use openGame');
    if (this.#open.has(id))
      throw new LobbyError(
        'game-closed',
        `expected a game of another node, but ${id} is this node's: use openGame`,
      );
    return directory.redirect(id, peer);
  }

  /**
   * @internal for the facets: the game a ticket lets `peer` into.
   * @throws LobbyError `bad-ticket`, `no-such-game`
   */
  async redeem(id: string, ticket: string, peer: PeerInfo): Promise<LauncherGame> {
    const directory = this.#options.directory;
    if (directory === undefined)
      throw new LobbyError('bad-ticket', 'expected a cluster node, but this lobby runs alone: use openGame');
    await directory.checkTicket(id, ticket, peer);
    const game = this.#open.get(id);
    if (game === undefined)
      throw new LobbyError('no-such-game', `expected the id of an open game, got ${JSON.stringify(id)}`);
    return game;
  }

  /**
   * Closes every open game and stops every running one (their players' values abort). The sessions
   * themselves belong to the server's scopes.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const game of [...this.#open.values()]) game.close('the lobby is shutting down');
    await Promise.allSettled(
      [...this.#running.values()].map((running) =>
        running.hosted.stop('stopped', 'the lobby is shutting down'),
      ),
    );
  }

  #checkRunningLimit(): void {
    const { maxRunningGames } = this.limits;
    if (this.#running.size + this.#launching >= maxRunningGames) {
      throw new LobbyError(
        'limit',
        `expected fewer than ${maxRunningGames} running games (maxRunningGames), but the lobby runs that many: launch again when one ends`,
      );
    }
  }

  /** A player with `maxRunningSeatsPerPlayer` seats in running games may not take X or O of another. */
  #checkSeatToJoin(peer: PeerInfo, slot: number): void {
    if (slotRole(slot) === 'spectator') return;
    const { maxRunningSeatsPerPlayer } = this.limits;
    const held = this.#runningSeats.of(peer.fingerprint);
    if (held >= maxRunningSeatsPerPlayer) {
      throw new LobbyError(
        'limit',
        `expected a player to hold fewer than ${maxRunningSeatsPerPlayer} seats (X or O) in running games (maxRunningSeatsPerPlayer), but you hold ${held}: finish or resign one first, or watch as a spectator`,
      );
    }
  }

  /** Launching may not bring a player's seats in running games past `maxRunningSeatsPerPlayer`. */
  #checkRunningSeats(holders: readonly SlotHolder[]): void {
    const { maxRunningSeatsPerPlayer } = this.limits;
    for (const [fingerprint, seats] of playerSeats(holders)) {
      const held = this.#runningSeats.of(fingerprint);
      if (held + seats > maxRunningSeatsPerPlayer) {
        const name = holders.find((holder) => holder.fingerprint === fingerprint)?.name ?? fingerprint;
        throw new LobbyError(
          'limit',
          `expected every player to hold at most ${maxRunningSeatsPerPlayer} seats (X or O) in running games (maxRunningSeatsPerPlayer), but ${name} holds ${held} and would take ${seats} more: launch again when one of their games ends`,
        );
      }
    }
  }

  /** Counts the X and O seats of `holders` as running; returns how to stop counting them (once). */
  #holdRunningSeats(holders: readonly SlotHolder[]): () => void {
    const seats = playerSeats(holders);
    for (const [fingerprint, count] of seats) this.#runningSeats.add(fingerprint, count);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const [fingerprint, count] of seats) this.#runningSeats.remove(fingerprint, count);
    };
  }

  async #launch(game: LauncherGame, holders: readonly SlotHolder[]): Promise<void> {
    this.#launching++;
    const releaseSeats = this.#holdRunningSeats(holders);
    try {
      await this.#start(game, holders, releaseSeats);
    } catch (error) {
      releaseSeats();
      throw error;
    } finally {
      this.#launching--;
    }
  }

  /** @param releaseSeats - called once the game's failure domain is gone */
  async #start(game: LauncherGame, holders: readonly SlotHolder[], releaseSeats: () => void): Promise<void> {
    const players = holders.map((holder) => ({
      slot: holder.slot,
      role: slotRole(holder.slot),
      name: holder.name,
    }));
    const setup = { gameId: game.id, gameName: game.name, settings: game.settings, players };
    let hosted: HostedGame;
    try {
      hosted = await this.#options.gameHost.start(setup);
    } catch (error) {
      for (const holder of holders) holder.client[Symbol.dispose]();
      this.#log(`game ${game.id} could not start: ${String(error)}`);
      throw error;
    }
    this.#log(
      `game ${game.id} "${game.name}" launched in ${hosted.description}: ${players.map((p) => `${p.name} (${p.role})`).join(', ')}`,
    );
    const launches: Promise<void>[] = [];
    // Each seat's connection, as the other seats see it (issue 21): told to the game until it ends.
    const relays: SeatConnectionRelay[] = [];
    for (const holder of holders) {
      if (holder.connection === undefined) continue;
      relays.push(
        new SeatConnectionRelay(holder.connection, (state) => {
          hosted.root.seatConnection(holder.slot, state).catch((error: unknown) => {
            this.#log(`game ${game.id}: could not tell ${holder.name}'s connection: ${describe(error)}`);
          });
          this.#log(`game ${game.id}: ${holder.name} (${slotRole(holder.slot)}) ${state}`);
        }),
      );
    }
    for (const holder of holders) {
      // The seat capability goes to the slot's client; the lobby keeps no reference to it, so when
      // that client lets go (or its session ends) the seat is released in the game (a forfeit).
      const seat = hosted.root.seat(holder.slot);
      const info: LaunchInfo = { ...setup, slot: holder.slot, role: slotRole(holder.slot) };
      launches.push(
        holder.client.launch(seat, info).catch((error: unknown) => {
          this.#log(`game ${game.id}: could not launch ${holder.name}'s client: ${describe(error)}`);
        }),
      );
      seat[Symbol.dispose]();
      holder.client[Symbol.dispose]();
    }
    const outcome = (async () => {
      let result: GameResult | undefined;
      let end: HostedGameEnd | undefined;
      try {
        result = await hosted.root.finished();
        this.#log(`game ${game.id} ended: ${result.message}`);
      } catch (error) {
        // The game's session ended before the match did: its failure domain is going down. Give it a
        // moment to report why (a crash), rather than terminating it over its own report.
        this.#log(`game ${game.id} failed: ${describe(error)}`);
        end = await Promise.race([hosted.ended, delay(2_000)]);
      }
      for (const relay of relays) relay.stop();
      try {
        // The end of the match ends its failure domain (a no-op when it is already gone).
        end ??= await hosted.stop('finished', 'the game is over');
      } finally {
        // Whatever stopping did, the game is gone from this lobby: its seats are free again.
        this.#running.delete(game.id);
        releaseSeats();
      }
      if (end.cause === 'crashed') this.#log(`game ${game.id} crashed: ${end.message}`);
      hosted.root[Symbol.dispose]();
      return result === undefined ? { end } : { result, end };
    })();
    this.#running.set(game.id, {
      id: game.id,
      name: game.name,
      settings: game.settings,
      players,
      hosted,
      outcome,
    });
    // tryLaunch resolves once every client was asked to launch; a client that never answers must
    // not hold the launcher's caller hostage, so this waits for delivery attempts, not for games.
    await Promise.race([Promise.allSettled(launches), delay(5_000)]);
  }

  #log(line: string): void {
    // Names and reasons come from players: nothing they wrote may move a terminal's cursor.
    this.#options.log?.(printable(line));
  }
}

/** The X and O seats among `holders`, per fingerprint (a key holding both counts 2). */
function playerSeats(holders: readonly SlotHolder[]): Map<string, number> {
  const seats = new Map<string, number>();
  for (const holder of holders) {
    if (slotRole(holder.slot) === 'spectator') continue;
    seats.set(holder.fingerprint, (seats.get(holder.fingerprint) ?? 0) + 1);
  }
  return seats;
}

function elsewhereError(requestId: string, game: string): LobbyError {
  return new LobbyError(
    'elsewhere',
    `expected a new request, but request ${requestId} created ${game} on another node: ask findCreated(${JSON.stringify(requestId)}), then redirect`,
  );
}

/** The root capability of one peer's session: everything it may do in the lobby, as that peer. */
export class LobbyFacet implements ILobby {
  readonly #lobby: Lobby;
  readonly #peer: PeerInfo;
  readonly #rates: SessionRates;

  constructor(lobby: Lobby, peer: PeerInfo) {
    this.#lobby = lobby;
    this.#peer = peer;
    this.#rates = new SessionRates(lobby.limits);
  }

  async whoAmI() {
    return { name: this.#peer.name, fingerprint: this.#peer.fingerprint };
  }

  /**
   * Arguments were checked and cleaned by {@link lobbySchemas}.
   *
   * @throws LobbyError `limit` past the session's `listGamesPerSecond` (see {@link SessionRates})
   */
  async listGames(page: GamePageRequest = {}): Promise<GamePage> {
    this.#rates.takeList();
    return this.#lobby.listGames(page);
  }

  /** `name` was checked and cleaned by {@link lobbySchemas} (text rules, 1 to 40 characters). */
  createGame(name: string, requestId?: string): Proxy<IGameLauncher> {
    const game = this.#lobby.createGame(name, this.#peer, requestId);
    // Returning gives the caller the only reference: the launcher goes when the caller lets go.
    if (game instanceof LauncherGame) return launcherFor(game, this.#peer, this.#lobby.rateLimits);
    // In a cluster, once the request is reserved; pipelinable meanwhile (like `redeem`).
    const launcher = new Resolver<Proxy<IGameLauncher>>();
    const result = launcher.proxy();
    launcher.promise[Symbol.dispose]();
    game.then(
      (created) => launcher.resolve(launcherFor(created, this.#peer, this.#lobby.rateLimits)),
      (error: unknown) => launcher.reject(error),
    );
    return result;
  }

  openGame(id: string): Proxy<IGameLauncher> {
    return launcherFor(this.#lobby.findGame(id), this.#peer, this.#lobby.rateLimits);
  }

  /** @throws LobbyError `limit` past the session's `listGamesPerSecond` (redirects count as pages) */
  async redirect(id: string): Promise<GameRedirect> {
    this.#rates.takeList();
    return this.#lobby.redirect(id, this.#peer);
  }

  /** @throws LobbyError `limit` past the session's `listGamesPerSecond` (counts as a page) */
  async findCreated(requestId: string): Promise<string | null> {
    this.#rates.takeList();
    return this.#lobby.findCreated(requestId, this.#peer);
  }

  /** @throws LobbyError `limit` past the session's `listGamesPerSecond` (a ticket check counts as a page) */
  redeem(id: string, ticket: string): Proxy<IGameLauncher> {
    this.#rates.takeList();
    // The ticket is checked asynchronously (a signature); the launcher is pipelinable meanwhile.
    const launcher = new Resolver<Proxy<IGameLauncher>>();
    const result = launcher.proxy();
    // The resolver's own promise holds a reference too: drop it, so that the caller's is the only one.
    launcher.promise[Symbol.dispose]();
    this.#lobby.redeem(id, ticket, this.#peer).then(
      (game) => launcher.resolve(launcherFor(game, this.#peer, this.#lobby.rateLimits)),
      (error: unknown) => launcher.reject(error),
    );
    return result;
  }
}

/**
 * One client's launcher for one game. Chat and settings changes act as the slots joined through
 * this launcher, so the authority to speak comes from holding a membership obtained here, not from
 * a name passed as an argument.
 */
export class GameLauncherFacet implements IGameLauncher, Disposable {
  readonly #game: LauncherGame;
  readonly #peer: PeerInfo;
  readonly #rates: LauncherRates;
  #released = false;

  constructor(game: LauncherGame, peer: PeerInfo, rates: LauncherRates) {
    this.#game = game;
    this.#peer = peer;
    this.#rates = rates;
    game.launcherOpened();
  }

  /** @throws LobbyError `limit` past the game's, the lobby's or this player's watcher places */
  events(): Sequence<LauncherEvent> {
    return this.#game.watch(this.#peer.fingerprint);
  }

  /**
   * @throws LobbyError `limit` past the launcher's or its player's rate of joins and leaves (a join
   *   pays for its leave too, see {@link LobbyRateLimits}); what the game's `join` throws
   */
  tryJoin(slot: number, name: string, client: Proxy<IClientLauncher>): Proxy<IJoinedPlayer> {
    this.#rates.take('seat', joinCost);
    const membership = new JoinedPlayer(this.#game);
    // The game keeps a copy of `client` (it releases it with the slot); the argument itself is
    // released when this call settles, so a refused join keeps nothing.
    const kept = proxy(client);
    try {
      membership.holder = this.#game.join(this, this.#peer, slot, name, kept, membership);
    } catch (error) {
      kept[Symbol.dispose]();
      throw error;
    }
    // Returning gives the caller the only reference: dropping it frees the slot.
    return proxy<IJoinedPlayer>(membership, { validate: membershipSchemas });
  }

  /** @throws LobbyError `limit` past the launcher's or its player's rate (see {@link LobbyRateLimits}) */
  async changeSettings(seenLsn: number, change: SettingsChange): Promise<number> {
    this.#rates.take('settings');
    return this.#game.changeSettings(this, seenLsn, change);
  }

  /** @throws LobbyError `limit` past the launcher's or its player's rate (see {@link LobbyRateLimits}) */
  async chat(seenLsn: number, text: string): Promise<number> {
    this.#rates.take('chat');
    return this.#game.chat(this, seenLsn, text);
  }

  tryLaunch(seenLsn: number): Promise<void> {
    return this.#game.launch(this, seenLsn);
  }

  [Symbol.dispose](): void {
    if (this.#released) return;
    this.#released = true;
    this.#game.launcherReleased();
  }
}

/**
 * A held slot (RPC3's `IJoinedPlayer`). Holding it is the membership: `leave()`, or letting go of the
 * last reference (dispose, garbage collection, the session ending), frees the slot.
 */
export class JoinedPlayer implements IJoinedPlayer, Disposable {
  readonly #game: LauncherGame;
  holder: SlotHolder | undefined;
  #active = true;

  constructor(game: LauncherGame) {
    this.#game = game;
  }

  get active(): boolean {
    return this.#active;
  }

  async leave(): Promise<void> {
    if (!this.#active)
      throw new LobbyError('not-member', 'expected an active membership, but it already ended');
    this.#end('left');
  }

  [Symbol.dispose](): void {
    this.#end('released');
  }

  #end(why: 'left' | 'released'): void {
    if (!this.#active) return;
    this.#active = false;
    if (this.holder !== undefined) this.#game.release(this.holder, why);
  }
}

/** A launcher capability for `game`, acting as `peer`, with its arguments checked. */
function launcherFor(game: LauncherGame, peer: PeerInfo, rates: LobbyRateLimits): Proxy<IGameLauncher> {
  return proxy<IGameLauncher>(new GameLauncherFacet(game, peer, rates.launcher(peer.fingerprint)), {
    validate: launcherSchemas,
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
