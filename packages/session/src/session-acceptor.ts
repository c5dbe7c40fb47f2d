import type { Connection } from '@msc/transport';
import type { ListeningScope } from './listening-part.ts';
import { logSessionEnd } from './session-log.ts';

/**
 * The accept callback of one listener of `scope` (installed by `enableListening()`): a connection
 * arriving while the listener has `maxPendingSessions` sessions in their handshake is aborted before
 * a session exists (nothing read, decoded or allocated for it), counted in `counts.refused` and
 * logged; every other one starts a session, pending (in `counts.pending` too) until it is established
 * or ends.
 */
export function acceptSessions(
  scope: ListeningScope,
  counts: { pending: number; refused: number },
): (connection: Connection) => void {
  let pending = 0; // this listener's sessions in their handshake
  return (connection) => {
    if (scope.ended()) {
      connection.abort(new Error('the scope has ended'));
      return;
    }
    const maxPendingSessions = scope.maxPendingSessions;
    if (pending >= maxPendingSessions) {
      counts.refused += 1;
      const reason = `the listener has ${pending} sessions in their handshake (maxPendingSessions); try again later`;
      const logger = scope.logger;
      if (logger !== undefined) {
        logSessionEnd(
          logger,
          { step: 'transport', code: 'refused', message: reason, remote: false, limit: 'maxPendingSessions' },
          'listener',
          connection.remoteAddress,
          { maxPendingSessions },
        );
      }
      connection.abort(new Error(reason));
      return;
    }
    const session = scope.startSession_(connection);
    pending += 1;
    counts.pending += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      pending -= 1;
      counts.pending -= 1;
    };
    session.established.then(release, release);
    void session.closed.then(release);
  };
}
