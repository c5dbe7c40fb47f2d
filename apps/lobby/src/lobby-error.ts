/** Stable codes of {@link LobbyError}. */
export type LobbyErrorCode =
  /** `tryJoin` on a slot someone else holds. */
  | 'slot-taken'
  /** A slot number outside the launcher's slots. */
  | 'bad-slot'
  /** `tryLaunch(lsn)` with an LSN older than the launcher's latest change. */
  | 'stale-lsn'
  /** An LSN the launcher has not issued yet. */
  | 'bad-lsn'
  /** A settings change that conflicts with a change another player made after the LSN the caller saw. */
  | 'conflict'
  /** A settings change the settings do not allow (out of range, a round that does not exist). */
  | 'invalid-settings'
  /** Chat, a settings change or a launch through a launcher that holds no slot. */
  | 'not-joined'
  /** Launching without both players seated. */
  | 'not-enough-players'
  /** Anything but watching after the game was launched, or after it was closed. */
  | 'game-closed'
  /** `openGame` with an id the lobby does not list. */
  | 'no-such-game'
  /** A name or chat text that is empty or too long. */
  | 'bad-text'
  /** `leave()` on a membership that already ended. */
  | 'not-member'
  /** A lobby limit was reached (games, watchers, backlog): the message names the limit and its value. */
  | 'limit'
  /** `openGame` of a game another node of the cluster owns: ask `redirect(id)` for its address and a ticket. */
  | 'elsewhere'
  /** The cluster's directory cannot be reached now: games on other nodes cannot be opened (local ones can). */
  | 'directory-unavailable'
  /** `redeem` with a ticket that is forged, expired, for another game or player, or of an owner's old epoch. */
  | 'bad-ticket';

/**
 * A refusal of the lobby (the launcher, the lobby root or a membership). It crosses sessions as its
 * `name` (`'LobbyError'`), `code` and message; test it with {@link isLobbyError}.
 */
export class LobbyError extends Error {
  override name = 'LobbyError';
  /** Why the lobby refused. */
  readonly code: LobbyErrorCode;
  constructor(code: LobbyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Stable codes of {@link GameError}. */
export type GameErrorCode =
  /** A move when it is the other mark's turn (or by a spectator). */
  | 'not-your-turn'
  /** A move on an occupied cell or outside the board. */
  | 'bad-move'
  /** A move after the game ended. */
  | 'game-over'
  /** `start` called twice, or a seat asked for before `start`. */
  | 'bad-state'
  /** A seat's event stream ended because the seat opened more than `maxEventStreamsPerSeat` (2). */
  | 'limit';

/** A refusal of the game (an illegal move). Crosses sessions as `name` `'GameError'` and `code`. */
export class GameError extends Error {
  override name = 'GameError';
  /** Why the game refused. */
  readonly code: GameErrorCode;
  constructor(code: GameErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Whether `error` is a {@link LobbyError} (with `code`, when given). Works on errors that crossed a
 * session, which arrive as plain `Error`s with the same `name` and `code`.
 */
export function isLobbyError(error: unknown, code?: LobbyErrorCode): error is LobbyError {
  return hasNameAndCode(error, 'LobbyError', code);
}

/** Whether `error` is a {@link GameError} (with `code`, when given), also after crossing a session. */
export function isGameError(error: unknown, code?: GameErrorCode): error is GameError {
  return hasNameAndCode(error, 'GameError', code);
}

function hasNameAndCode(error: unknown, name: string, code: string | undefined): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  return candidate.name === name && (code === undefined || candidate.code === code);
}
