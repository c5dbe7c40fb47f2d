import type { Authenticator } from '@msc/session';

/**
 * Wraps `authenticator` so that the handshake is bound to a named endpoint (`/msc`) instead of the
 * connection's two socket addresses.
 *
 * Why: the session's channel binding is the pair of addresses each end sees, and a browser cannot
 * see its own socket address (the browser WebSocket transport reports a synthetic local address),
 * so a browser and a Node listener never compute the same binding and every identity handshake
 * between them fails. Both ends know the endpoint's path, so binding to it lets the handshake
 * verify. What is given up is protection against a relay that forwards one handshake between two
 * connections to the same endpoint; the signed transcript (both fresh nonces) still defeats replay
 * and reflection, and `wss:` (TLS) is the real protection on open networks. Both sides must use
 * the same `endpoint`.
 */
export function bindToEndpoint<Peer>(
  authenticator: Authenticator<Peer>,
  endpoint: string,
): Authenticator<Peer> {
  const channelBinding = new TextEncoder().encode(`msc-lobby endpoint ${endpoint}`);
  return {
    scheme: authenticator.scheme,
    authenticate: (context) =>
      authenticator.authenticate({
        role: context.role,
        protocolVersion: context.protocolVersion,
        transcript: context.transcript,
        channelBinding,
        send: (message) => context.send(message),
        receive: () => context.receive(),
        signal: context.signal,
      }),
  };
}
