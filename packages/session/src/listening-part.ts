import type { Connection, Listener, Logger, Transport } from '@msc/transport';
import { notEnabled } from './not-enabled.ts';

/**
 * Listening, optional in a program: how a scope listens and accepts connections (its listeners and
 * their closing, the `maxPendingSessions` admission, the refusal and its log line, the pending and
 * refused counts). A page dials and never accepts (browsers cannot listen on a WebSocket), so only
 * the entry that installs it carries it. `@msc/session`'s Node (default) entry installs it when it
 * loads; its `browser` entry does not, and a page whose scope listens (on a MessagePort for a
 * worker, say) calls `enableListening()` (enable-listening.ts) once before. A scope that never
 * listens never asks this seam for anything.
 *
 * Without it `scope.listen()` rejects with a TypeError naming `enableListening()`, before the
 * transport is asked to listen. This file holds only the seam; the listeners are
 * `scope-listeners.ts`, the acceptor `session-acceptor.ts`.
 */

/** What listening needs from its scope. */
export interface ListeningScope {
  /** Whether the scope has ended (or is ending). */
  ended(): boolean;
  /** The scope's `maxPendingSessions`, checked when it was made. */
  readonly maxPendingSessions: number;
  /** The scope's logger, if any. */
  readonly logger: Logger | undefined;
  /** The transport to listen on. */
  readonly transport: Transport;
  /** Aborted when the scope ends (a listen in progress stops). */
  readonly signal: AbortSignal;
  /** @internal Starts the listener's session on an accepted connection. */
  startSession_(connection: Connection): {
    readonly established: Promise<void>;
    readonly closed: Promise<unknown>;
  };
}

/** A scope's listeners, made by its first `listen()`. */
export interface ScopeListeners {
  /**
   * Listens on `address` until the scope ends (see `Scope.listen`).
   *
   * @throws what the transport throws; Error when the scope ended while listening
   */
  listen(address: string): Promise<Listener>;
  /** The scope ends: closes every listener, answering their closings. */
  close(): Promise<void>[];
  /** Accepted sessions still in their handshake, over all listeners. */
  readonly pending: number;
  /** Connections aborted on arrival at `maxPendingSessions`, since the scope began. */
  readonly refused: number;
}

/** Makes the listeners of `scope` (installed by `enableListening()`). */
export type ListeningFactory = (scope: ListeningScope) => ScopeListeners;

let installed: ListeningFactory | undefined;

/**
 * Installs listening for every scope from now on (`enableListening()`); `undefined` removes it again
 * (for tests of a program without it).
 */
export function installListening(factory: ListeningFactory | undefined): void {
  installed = factory;
}

/**
 * The listeners of `scope`, for its first `listen()`.
 *
 * @throws TypeError naming `enableListening()` when listening is not installed
 */
export function listenersFor(scope: ListeningScope): ScopeListeners {
  if (installed === undefined) {
    throw new TypeError(`a scope cannot listen: ${notEnabled('listening', 'enableListening')}`);
  }
  return installed(scope);
}
