import { ListenError } from '../listen-error.ts';
import { describeError } from './describe-error.ts';

/**
 * What {@link listenServer} needs of a server: the shape of Node's `net.Server` (so also an
 * `http.Server`, `https.Server` or `tls.Server`), written out here so the kit imports no Node module.
 */
export interface ListeningServer {
  once(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  listen(options: { host: string; port: number }, listening: () => void): unknown;
}

/**
 * Starts `server` listening on `host` and `port`. Resolves once it listens; rejects with the
 * `ListenError` of {@link socketListenFailure} when it cannot (the error listener it added is gone
 * either way, so a later error of the server is its owner's to handle).
 *
 * @param address - the address the caller asked for, as written (named in the error)
 */
export function listenServer(
  server: ListeningServer,
  address: string,
  host: string,
  port: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(socketListenFailure(address, error));
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * The `ListenError` for a server that failed to listen on `address`: `address-in-use` for
 * `EADDRINUSE`, `failed` for anything else, with the socket's error as the cause.
 *
 * @param address - the address the caller asked for, as written
 * @param error - what the server reported
 * @param expected - what was expected, for the message ("expected {expected}, but ..."); by default
 *   `to listen on {address}`
 */
export function socketListenFailure(
  address: string,
  error: unknown,
  expected = `to listen on ${address}`,
): ListenError {
  const code = (error as { code?: unknown } | undefined)?.code;
  return new ListenError(
    code === 'EADDRINUSE' ? 'address-in-use' : 'failed',
    address,
    `expected ${expected}, but ${describeError(error)}`,
    error,
  );
}
