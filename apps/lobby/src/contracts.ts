import type { Proxy, Sequence } from '@msc/eventual';
import type { GameSettings, Mark, SettingsChange } from './settings.ts';

/*
 * The lobby's eventual interfaces (RPC3's game lobby): plain TypeScript interfaces, the only
 * specification both sides share. Who holds which capability is the whole authority model:
 *
 *   ILobby          root of every player session (one facet per authenticated peer)
 *     └ IGameLauncher   one facet per openGame/createGame: watch, join, chat, change settings, launch
 *         └ IJoinedPlayer   a held slot; holding it *is* the membership (leave, or drop it)
 *   IClientLauncher the client's own capability, handed over in tryJoin; the server calls launch()
 *     └ IPlayer       one seat of one running game; every call on it is that seat's action
 *   IGameSession    root of a game SIP; only the lobby server holds it
 */

/** Number of slots of every game: slot 0 plays X, slot 1 plays O, the others watch. */
export const slotCount = 4;

/** What a slot is for. */
export type SlotRole = Mark | 'spectator';

/** The role of `slot` (0 → X, 1 → O, others → spectator). */
export function slotRole(slot: number): SlotRole {
  return slot === 0 ? 'X' : slot === 1 ? 'O' : 'spectator';
}

/** One slot as the launcher shows it. `name` and `fingerprint` are `null` while the slot is open. */
export interface SlotView {
  readonly slot: number;
  readonly role: SlotRole;
  readonly name: string | null;
  /** The fingerprint of the identity that holds the slot (what the name cannot be trusted for). */
  readonly fingerprint: string | null;
}

/** A chat line, totally ordered by its LSN. `seenLsn` is the LSN its author had seen when writing it. */
export interface ChatLine {
  readonly lsn: number;
  readonly from: string;
  readonly text: string;
  readonly seenLsn: number;
}

/** Where a game is in its life. */
export type GamePhase = 'open' | 'launched' | 'closed';

/**
 * An event of a launcher's log. Every event but the snapshot is a change and carries the LSN the
 * launcher gave it; LSNs go up by one per change, so a gap is impossible and the latest LSN a player
 * saw names exactly the state they saw.
 */
export type LauncherEvent =
  | {
      readonly kind: 'snapshot';
      readonly lsn: number;
      readonly gameId: string;
      readonly gameName: string;
      readonly phase: GamePhase;
      readonly settings: GameSettings;
      readonly slots: readonly SlotView[];
      /** The most recent chat lines (at most 50), oldest first. */
      readonly chat: readonly ChatLine[];
    }
  | {
      readonly kind: 'joined';
      readonly lsn: number;
      readonly slot: number;
      readonly name: string;
      readonly fingerprint: string;
    }
  | {
      readonly kind: 'left';
      readonly lsn: number;
      readonly slot: number;
      readonly name: string;
      /** `left`: leave() was called; `released`: the membership capability was dropped or its session ended. */
      readonly why: 'left' | 'released';
    }
  | {
      readonly kind: 'settings';
      readonly lsn: number;
      readonly by: string;
      readonly change: SettingsChange;
      readonly settings: GameSettings;
    }
  | {
      readonly kind: 'chat';
      readonly lsn: number;
      readonly from: string;
      readonly text: string;
      readonly seenLsn: number;
    }
  | { readonly kind: 'launched'; readonly lsn: number; readonly by: string }
  | { readonly kind: 'closed'; readonly lsn: number; readonly reason: string };

/** A game as the lobby lists it. */
export interface GameSummary {
  /** The lobby's directory key of the game (a name to open it by, not an authority: see README). */
  readonly id: string;
  readonly name: string;
  readonly createdBy: string;
  readonly lsn: number;
  readonly settings: GameSettings;
  readonly openSlots: readonly number[];
}

/** Which page of the open games `listGames` returns. */
export interface GamePageRequest {
  /** The `next` cursor of the previous page; absent or `null` for the first page. */
  readonly after?: string | null;
  /** Games per page, 1 to the server's `maxPageSize` (default 50). Default: its `defaultPageSize` (20). */
  readonly limit?: number;
}

/** One page of the open games, oldest first. */
export interface GamePage {
  readonly games: GameSummary[];
  /** The cursor of the next page (pass it as `after`), or `null` when this is the last page. */
  readonly next: string | null;
  /**
   * In a cluster, `true` while this node cannot reach the directory: its own games are listed as they
   * are, other nodes' as they were when it last could. Absent for a single-process lobby.
   */
  readonly stale?: boolean;
}

/** Where a game another node owns is, and the ticket that lets this player in (see `ILobby.redirect`). */
export interface GameRedirect {
  readonly gameId: string;
  /**
   * The owner node's address on the transport of the session that asked: `tcp:host:port` for a TCP
   * session, `ws://host:port/msc` (or `wss://`) for a WebSocket one (a browser).
   */
  readonly address: string;
  /** The owner node's identity fingerprint: dial it pinned to this key. */
  readonly fingerprint: string;
  /** Signed by the node that issued it; bound to the player's identity, the game and the owner's epoch. */
  readonly ticket: string;
  /** When the ticket expires (ms since the epoch, the issuer's clock). */
  readonly expiresAt: number;
}

/**
 * The root capability a lobby server gives every authenticated player session.
 *
 * Every argument is checked against its schema (`src/argument-schemas.ts`) before the lobby does
 * anything with it: a call that breaks one rejects with `ArgumentError` (code `invalid-arguments`)
 * naming the argument. Text (game names, player names, chat) is cleaned first: NFC, control,
 * bidirectional and zero-width characters removed, white space collapsed (`src/text-rules.ts`).
 */
export interface ILobby {
  /** How the lobby sees the caller: display name and fingerprint of its authenticated identity. */
  whoAmI(): Promise<{ readonly name: string; readonly fingerprint: string }>;
  /**
   * One page of the games that have not been launched yet, oldest first. Follow `next` for more:
   * a page holds at most the server's `maxPageSize` games (default 50), whatever is asked.
   */
  listGames(page?: GamePageRequest): Promise<GamePage>;
  /**
   * Creates a game and returns a launcher for it (pipelinable: `createGame('x').tryJoin(...)` is one
   * round trip). The game is listed until it launches, or until nobody holds a launcher or a slot.
   *
   * With a `requestId` (8 to 64 of `A-Za-z0-9_-`), creation is idempotent per player: while the game
   * a request created is open, the same player sending the same id again (a retry after a lost
   * answer, on a new connection to the same node) gets a launcher of that game, not a second game.
   * In a cluster the node reserves the request in the directory before it creates the game, so a
   * retry through another node is refused with `elsewhere` naming that game (even before that
   * node lists it), never answered with a second one; while a node cannot reach the directory, the
   * request id is idempotent on that node only.
   *
   * @throws ArgumentError for a name that is empty or over 40 characters once cleaned
   * @throws LobbyError `limit` when the caller already has `maxOpenGamesPerPlayer` open games, or
   *   the lobby `maxOpenGames`; in a cluster `elsewhere` (the request's game is on another node: ask
   *   `findCreated`, then `redirect`), `directory-unavailable` (the reservation could not be written
   *   or read back as garbage: nothing was created) and `no-such-game` (the reservation names a game
   *   no node lists)
   */
  createGame(name: string, requestId?: string): Proxy<IGameLauncher>;
  /**
   * A launcher for a listed game.
   *
   * @throws LobbyError `no-such-game` when the id is not listed (launched, closed or never existed)
   */
  openGame(id: string): Proxy<IGameLauncher>;
  /**
   * In a cluster: where the game another node owns is, with a short-lived ticket for the caller (see
   * {@link GameRedirect}); dial the owner pinned to its fingerprint and `redeem` the ticket there.
   *
   * @throws LobbyError `no-such-game` when no node lists it; `directory-unavailable` while the
   *   directory cannot be reached or before this node joined it (fails at once, never waits); `game-closed` in a single-process lobby
   *   or when the game is this node's own (open it with `openGame`)
   */
  redirect(id: string): Promise<GameRedirect>;
  /**
   * The id of the open game the caller created with `requestId`, on this node or (in a cluster)
   * another one, or `null`: what a `createGame` retried on another node, refused with `elsewhere`,
   * asks next.
   */
  findCreated(requestId: string): Promise<string | null>;
  /**
   * On the owner node: the launcher of game `id` for a ticket another node issued to the caller.
   *
   * @throws LobbyError `bad-ticket` (forged, expired, another game, another player, an old epoch of
   *   this node), `no-such-game`
   */
  redeem(id: string, ticket: string): Proxy<IGameLauncher>;
}

/**
 * One client's view of one game before launch (RPC2/RPC3's `IGameLauncher`). Calls on one launcher
 * proxy are dispatched in call order (instance order), and the launcher gives each change an LSN in
 * dispatch order, so a settings change cannot be overtaken by the launch pressed after it.
 *
 * Chat, settings changes and launches are the actions of the slots this launcher joined: a launcher
 * that holds no slot may only watch and join.
 */
export interface IGameLauncher {
  /**
   * The launcher's log: a snapshot, then every change, each with its LSN. Ends after `launched` or
   * `closed`. Each call gives a new sequence (one consumer each). A watcher that falls behind (more
   * than `maxWatcherBacklogItems` events or `maxWatcherBacklogBytes` waiting, whatever window its
   * consumer declared) has its stream aborted.
   *
   * @throws LobbyError `limit` when the game has `maxWatchersPerGame` streams open (a player holding
   *   one of its slots is not refused by that), the lobby `maxWatchers`, or when the caller's key
   *   has `maxWatchersPerGamePerPlayer` streams open on this game or `maxWatchersPerPlayer` in the lobby
   */
  events(): Sequence<LauncherEvent>;
  /**
   * Claims `slot` under `name`. Exactly one of any number of concurrent callers wins: the launcher
   * decides in dispatch order, with no await between the check and the claim. The winner gets the
   * membership capability; holding it is holding the slot.
   *
   * @param client - called with the player's seat once the game launches; the launcher keeps it while the slot is held
   * @throws LobbyError `slot-taken`, `game-closed`; `limit` for X or O when the caller holds
   *   `maxRunningSeatsPerPlayer` seats in running games, or past the launcher's
   *   `seatChangesPerSecond` or the player's `playerActionsPerSecond` (a join counts 2: itself and
   *   its leave, which is never refused); ArgumentError for a bad slot, name or client
   */
  tryJoin(slot: number, name: string, client: Proxy<IClientLauncher>): Proxy<IJoinedPlayer>;
  /**
   * Changes one setting. `seenLsn` is the latest LSN the caller had seen; the change is refused when
   * another player changed something it depends on after that LSN.
   *
   * @returns the LSN the change got
   * @throws LobbyError `conflict`, `invalid-settings` (a round that does not exist), `bad-lsn`,
   *   `not-joined`, `game-closed`; ArgumentError for a change out of range or of an unknown kind
   */
  changeSettings(seenLsn: number, change: SettingsChange): Promise<number>;
  /**
   * Says something to everyone watching the game. Totally ordered with every other change.
   *
   * @returns the LSN the line got
   * @throws LobbyError `bad-lsn`, `not-joined`, `game-closed`; ArgumentError for empty or too long text
   */
  chat(seenLsn: number, text: string): Promise<number>;
  /**
   * Launches the game, only if `seenLsn` is the launcher's latest LSN: the caller has seen every
   * committed change (settings, chat, joins and leaves).
   *
   * @throws LobbyError `stale-lsn`, `bad-lsn`, `not-enough-players`, `not-joined`, `game-closed`,
   *   `limit` (the lobby runs `maxRunningGames` games, or a player would hold more than
   *   `maxRunningSeatsPerPlayer` seats in running games)
   */
  tryLaunch(seenLsn: number): Promise<void>;
}

/** A held slot. Dropping every reference (or losing the session) leaves the slot like `leave()`. */
export interface IJoinedPlayer {
  /**
   * Gives the slot up (before launch; after launch it only ends the membership).
   *
   * @throws LobbyError `not-member` when the membership already ended
   */
  leave(): Promise<void>;
}

/** What a client tells about a launch. */
export interface LaunchInfo {
  readonly gameId: string;
  readonly gameName: string;
  readonly slot: number;
  readonly role: SlotRole;
  readonly settings: GameSettings;
  readonly players: readonly { readonly slot: number; readonly role: SlotRole; readonly name: string }[];
}

/** Implemented by clients: the server calls it once per held slot when the game launches. */
export interface IClientLauncher {
  /**
   * The game started: `player` is this slot's seat in it. The callee owns its copy of `player` and
   * releases it when done (releasing it mid-game forfeits the seat).
   */
  launch(player: Proxy<IPlayer>, info: LaunchInfo): Promise<void>;
}

/** A cell index: `row * boardSize + column`. */
export type Cell = number;

/** The score of a match. */
export interface Score {
  readonly X: number;
  readonly O: number;
}

/** An event of a running game, in the order the game made them. */
export type GameEvent =
  | {
      readonly kind: 'snapshot';
      readonly round: number;
      readonly boardSize: number;
      readonly board: readonly (Mark | null)[];
      readonly turn: Mark | null;
      readonly score: Score;
      readonly settings: GameSettings;
      readonly players: readonly { readonly slot: number; readonly role: SlotRole; readonly name: string }[];
      /** The seats whose player's connection dropped and may come back (see `player-connection`). */
      readonly reconnecting: readonly number[];
    }
  | {
      readonly kind: 'round-started';
      readonly round: number;
      readonly boardSize: number;
      readonly turn: Mark;
    }
  | {
      readonly kind: 'moved';
      readonly round: number;
      readonly mark: Mark;
      readonly cell: Cell;
      readonly by: string;
      readonly turn: Mark | null;
    }
  | {
      readonly kind: 'round-ended';
      readonly round: number;
      readonly winner: Mark | null;
      readonly line: readonly Cell[];
      readonly score: Score;
    }
  | {
      readonly kind: 'game-ended';
      readonly winner: Mark | null;
      readonly score: Score;
      /** `played`: all rounds done; `resigned`/`forfeit`: a player resigned, or dropped its seat. */
      readonly reason: 'played' | 'resigned' | 'forfeit';
      readonly message: string;
    }
  | {
      /**
       * A seat's connection changed (docs/resumption.md): `reconnecting` when its session dropped and
       * is held for its grace window, `reconnected` when it resumed (it missed nothing), `lost` when
       * it could not (a player then forfeits: `game-ended` follows). Only with a server that offers
       * resumption (`LobbyServerOptions.resume`).
       */
      readonly kind: 'player-connection';
      readonly slot: number;
      readonly role: SlotRole;
      readonly name: string;
      readonly state: SeatConnectionState;
    };

/** Where a seat's connection is, as the game tells the others (`player-connection`). */
export type SeatConnectionState = 'reconnecting' | 'reconnected' | 'lost';

/** One seat of a running game (RPC3's `IPlayer`): every call is this seat's action in this game. */
export interface IPlayer {
  /**
   * The game's events: a snapshot, then every event. Ends after `game-ended`. A seat may have 2
   * streams open at once (`maxEventStreamsPerSeat`): another one ends the seat's oldest stream,
   * which aborts with GameError `limit`.
   */
  events(): Sequence<GameEvent>;
  /**
   * Puts this seat's mark on `cell`.
   *
   * @throws GameError `not-your-turn` (also for spectators), `bad-move`, `game-over`
   */
  move(cell: Cell): Promise<void>;
  /**
   * Gives the match up; the other player wins.
   *
   * @throws GameError `not-your-turn` for spectators, `game-over`
   */
  resign(): Promise<void>;
}

/** How a match ended. */
export interface GameResult {
  readonly winner: Mark | null;
  readonly score: Score;
  readonly reason: 'played' | 'resigned' | 'forfeit';
  readonly message: string;
}

/** What a game is started with (the init data of its SIP, copied by value). */
export interface GameSetup {
  readonly gameId: string;
  readonly gameName: string;
  readonly settings: GameSettings;
  readonly players: readonly { readonly slot: number; readonly role: SlotRole; readonly name: string }[];
}

/** The root of a game SIP. Only the lobby server holds it, so only the server can hand out seats. */
export interface IGameSession {
  /** The seat of `slot`; the server passes it on to that slot's client and keeps no reference. */
  seat(slot: number): Proxy<IPlayer>;
  /** Resolves with the result when the match ends. Rejects with AbortedError if the SIP dies first. */
  finished(): Promise<GameResult>;
  /**
   * The session of the player in `slot` dropped, resumed or was lost: the game tells every seat
   * (`player-connection`), once per change. Ignored once the match is over.
   *
   * @throws GameError `bad-state` for a slot nobody sits in or an unknown state
   */
  seatConnection(slot: number, state: SeatConnectionState): Promise<void>;
  /** Fault injection for tests and demos: throws an uncaught error inside the game's SIP. */
  crash(message: string): Promise<void>;
}
