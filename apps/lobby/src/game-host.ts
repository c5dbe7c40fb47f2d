import type { Proxy } from '@msc/eventual';
import type { GameSetup, IGameSession } from './contracts.ts';

/** How a hosted game ended. */
export interface HostedGameEnd {
  /** `finished`: stopped by the lobby after the match; `crashed`: the game's failure domain died; `stopped`: stopped early. */
  readonly cause: 'finished' | 'crashed' | 'stopped';
  /** What happened, for logs. */
  readonly message: string;
}

/** A running game as its host gives it to the lobby. */
export interface HostedGame {
  /** The game's root; the lobby server is its only holder. */
  readonly root: Proxy<IGameSession>;
  /** Settles (never rejects) once the game's failure domain is gone. */
  readonly ended: Promise<HostedGameEnd>;
  /** Where the game runs, for logs ("worker SIP, thread 7"). */
  readonly description: string;
  /**
   * Ends the game's failure domain for good (terminates its SIP); every value spanning it aborts.
   * Resolves once it is gone. Idempotent.
   */
  stop(cause: 'finished' | 'stopped', message: string): Promise<HostedGameEnd>;
}

/**
 * Where launched games run: the seam between the lobby and the failure domains of its games. The
 * lobby only uses `IGameSession` through `root`, so a game in-process, in a worker thread or in a
 * child process looks the same to it (docs/semantics.md#location-independence).
 */
export interface GameHost {
  /** A short name for logs (`sip:worker`, `in-process`). */
  readonly kind: string;
  /** Starts a game. Rejects when the host cannot start one (the launch then fails). */
  start(setup: GameSetup): Promise<HostedGame>;
  /** Stops every game it still runs and frees what the host holds. Idempotent. */
  close(): Promise<void>;
}
