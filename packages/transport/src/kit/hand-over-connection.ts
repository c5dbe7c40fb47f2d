import type { Connection } from '../connection.ts';

/**
 * Hands a connection a listener accepted to the listener's callback (`onConnection` of
 * `Transport.listen()`); every transport's accept path ends here.
 *
 * Ownership: from this call on the connection is the callback's. A callback that throws has not
 * taken it, and nobody else holds it: it must not stay half-open, so it is aborted with what the
 * callback threw. The error is then rethrown in a microtask, where it surfaces as any uncaught
 * error does, while the listener goes on accepting (the throw never reaches the accept loop).
 *
 * @param connection - the accepted connection, owned by nobody else yet
 * @param onConnection - the listener's callback
 */
export function handOverConnection<C extends Connection>(
  connection: C,
  onConnection: (connection: C) => void,
): void {
  try {
    onConnection(connection);
  } catch (error) {
    connection.abort(error);
    queueMicrotask(() => {
      throw error;
    });
  }
}
