/**
 * The lobby's own limits: what one player, and all players together, can make the server hold, and
 * how fast one player may make a game's watchers receive events.
 * Everything a player sends is checked against these (and the argument schemas) before the lobby
 * does any work with it; a call past a limit is refused with `LobbyError` `limit`, naming the limit.
 *
 * The defaults suit a public server on one machine; the scale check (1,000 players in 250 games)
 * runs well inside them.
 */
export interface LobbyLimits {
  /** Open (unlaunched) games in the lobby at once. Default 1,000. */
  readonly maxOpenGames: number;
  /** Open games one player (one key) has created and not yet launched or closed. Default 4. */
  readonly maxOpenGamesPerPlayer: number;
  /** Launched games running at once (each holds a SIP). Default 500. */
  readonly maxRunningGames: number;
  /**
   * Player seats (X and O) one player (one key) may hold in running and launching games; a key
   * holding both X and O of a game counts 2. Past it, taking X or O (`tryJoin`) and launching are
   * refused. Default 8: a player in a few games at once (tabs, a bot per game), while one key can
   * no longer fill `maxRunningGames` with games it never plays (500 games take at least 63 keys).
   */
  readonly maxRunningSeatsPerPlayer: number;
  /** Event streams (`events()`) open on one game at once. Default 32. */
  readonly maxWatchersPerGame: number;
  /** Event streams open in the whole lobby at once. Default 20,000. */
  readonly maxWatchers: number;
  /**
   * Event streams one player (one key) may have open on one game. Default 4: a player watches a
   * game from a page or a terminal or two, and one key cannot take all `maxWatchersPerGame` places
   * of a game (it takes 8 keys). A key holding a slot of the game is not refused by
   * `maxWatchersPerGame` (only by this), so strangers cannot shut its players out.
   */
  readonly maxWatchersPerGamePerPlayer: number;
  /**
   * Event streams one player (one key) may have open in the whole lobby. Default 64: an honest
   * client watches the games it has open (at most `maxOpenGamesPerPlayer` of its own, a few of
   * others', one stream each, a stale one or two while reconnecting), far fewer than 64; and
   * filling the lobby's `maxWatchers` (20,000) takes 313 keys, not one.
   */
  readonly maxWatchersPerPlayer: number;
  /**
   * Events one watcher may have waiting, not yet taken by its session, whatever window its
   * consumer declared; past it the watcher's stream is aborted. Default 1,024 (a reader with the
   * default window of 64 keeps up with bursts of several hundred changes).
   */
  readonly maxWatcherBacklogItems: number;
  /** Bytes (JSON-encoded estimate) one watcher may have waiting. Default 512 KiB. */
  readonly maxWatcherBacklogBytes: number;
  /**
   * Bytes all watchers together may have waiting; past it the watcher being written to is
   * aborted. Default 64 MiB.
   */
  readonly maxBacklogBytes: number;
  /**
   * Chat lines one launcher (one player's seat in one game) may send a second, on average; past it
   * (and its burst) `chat` is refused with `limit`, naming the wait. Default 5.
   */
  readonly chatLinesPerSecond: number;
  /** Chat lines one launcher may send at once before `chatLinesPerSecond` applies. Default 10. */
  readonly chatBurst: number;
  /** Settings changes one launcher may make a second, on average. Default 5. */
  readonly settingsChangesPerSecond: number;
  /** Settings changes one launcher may make at once. Default 10. */
  readonly settingsBurst: number;
  /**
   * Joins and leaves one launcher may make a second, on average; a join counts 2 (itself and the
   * leave it will cause: a leave is never refused). Default 2: one join (and its leave) a second.
   */
  readonly seatChangesPerSecond: number;
  /** Joins and leaves one launcher may make at once (a join counts 2). Default 8: four joins. */
  readonly seatChangesBurst: number;
  /**
   * Chat lines, settings changes, joins and leaves together one player (one key) may send a
   * second across all its launchers and sessions (a join counts 2, see `seatChangesPerSecond`).
   * Default 10: with 4 slots a game's watchers receive at most about 40 such events a second,
   * whoever floods it.
   */
  readonly playerActionsPerSecond: number;
  /** Chat lines, settings changes, joins and leaves one player may send at once. Default 20. */
  readonly playerActionBurst: number;
  /**
   * `listGames` calls one session may make a second, on average; past it (and its burst) the call
   * is refused with `limit`, naming the wait. Default 20.
   */
  readonly listGamesPerSecond: number;
  /**
   * `listGames` calls one session may make at once before `listGamesPerSecond` applies. Default 60
   * (1,000 open games, the default `maxOpenGames`, are 50 default pages).
   */
  readonly listGamesBurst: number;
  /** Games `listGames` returns when the caller does not ask for a page size. Default 20. */
  readonly defaultPageSize: number;
  /** The largest page `listGames` returns. Default 50. */
  readonly maxPageSize: number;
}

/** The limits used where none are given. */
export const defaultLobbyLimits: LobbyLimits = {
  maxOpenGames: 1_000,
  maxOpenGamesPerPlayer: 4,
  maxRunningGames: 500,
  maxRunningSeatsPerPlayer: 8,
  maxWatchersPerGame: 32,
  maxWatchers: 20_000,
  maxWatchersPerGamePerPlayer: 4,
  maxWatchersPerPlayer: 64,
  maxWatcherBacklogItems: 1_024,
  maxWatcherBacklogBytes: 512 * 1024,
  maxBacklogBytes: 64 * 1024 * 1024,
  chatLinesPerSecond: 5,
  chatBurst: 10,
  settingsChangesPerSecond: 5,
  settingsBurst: 10,
  seatChangesPerSecond: 2,
  seatChangesBurst: 8,
  playerActionsPerSecond: 10,
  playerActionBurst: 20,
  listGamesPerSecond: 20,
  listGamesBurst: 60,
  defaultPageSize: 20,
  maxPageSize: 50,
};

/** Lobby limits to change: each one given replaces its default; one left out or `undefined` keeps it. */
export type LobbyLimitOverrides = { readonly [Name in keyof LobbyLimits]?: LobbyLimits[Name] | undefined };

/**
 * `defaultLobbyLimits` with `overrides` applied.
 *
 * @throws RangeError when an override is not a positive integer, or names no limit
 */
export function lobbyLimits(overrides: LobbyLimitOverrides = {}): LobbyLimits {
  const limits: Record<string, number> = { ...defaultLobbyLimits };
  for (const [name, value] of Object.entries(overrides)) {
    if (!Object.hasOwn(defaultLobbyLimits, name)) throw new RangeError(`expected a lobby limit, got ${name}`);
    // An undefined override is no override: the default stays.
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`expected lobby limit ${name} to be a positive integer, got ${String(value)}`);
    }
    limits[name] = value;
  }
  return limits as unknown as LobbyLimits;
}
