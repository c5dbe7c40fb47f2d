import type { Connection, Logger } from '@msc/transport';
import { notEnabled } from './not-enabled.ts';

/**
 * Listening, optional in a program: how a scope accepts connections (the `maxPendingSessions`
 * admission, the refusal and its log line, the pending count). A page dials and never accepts
 * (browsers cannot listen on a WebSocket), so only the entry that installs it carries it.
 * `@msc/session`'s Node (default) entry installs it when it loads; its `browser` entry does not, and
 * a page whose scope listens (on a MessagePort for a worker, say) calls `enableListening()`
 * (enable-listening.ts) once before. A scope that never listens never asks this seam for anything.
 *
 * Without it `scope.listen()` rejects with a TypeError naming `enableListening()`, before the
 * transport is asked to listen. This file holds only the seam; the acceptor is `session-acceptor.ts`.
 */

/** What accepting connections needs from its scope. */
export interface ListeningScope {
  /** Whether the scope has ended (or is ending). */
  ended(): boolean;
  /** The scope's `maxPendingSessions`, checked when it was made. */
  readonly maxPendingSessions: number;
  /** The scope's logger, if any. */
  readonly logger: Logger | undefined;
  /** Counts a connection refused at `maxPendingSessions`. */
  refused(): void;
  /** Adds `delta` (1 or -1) to the scope's sessions in their handshake. */
  pending(delta: number): void;
  /** @internal Starts the listener's session on an accepted connection. */
  startSession_(connection: Connection): {
    readonly established: Promise<void>;
    readonly closed: Promise<unknown>;
  };
}

/** Makes the accept callback of one listener of `scope` (`Transport.listen`'s `accept`). */
export type SessionAcceptor = (scope: ListeningScope) => (connection: Connection) => void;

let installed: SessionAcceptor | undefined;

/**
 * Installs listening for every scope from now on (`enableListening()`); `undefined` removes it again
 * (for tests of a program without it).
 */
export function installListening(acceptor: SessionAcceptor | undefined): void {
  installed = acceptor;
}

/**
 * The accept callback of a new listener of `scope`.
 *
 * @throws TypeError naming `enableListening()` when listening is not installed
 */
export function acceptorFor(scope: ListeningScope): (connection: Connection) => void {
  if (installed === undefined) {
    throw new TypeError(`a scope cannot listen: ${notEnabled('listening', 'enableListening')}`);
  }
  return installed(scope);
}
