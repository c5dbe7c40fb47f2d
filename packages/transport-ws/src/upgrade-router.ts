import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';
import { requestPath } from './request-path.ts';

/**
 * The upgrade router of the Node WebSocket transport: one `upgrade` listener per HTTP server, shared
 * by every `ws()` listener on it, that sends each upgrade request to the route of its path, checks
 * the origin and the listener's capacity, and answers everything else with an HTTP error. Whatever a
 * request holds, it never throws into the HTTP server (which would end the process).
 */

/** Whether `origin` passes `allowed` (every origin when it is `undefined`; a predicate that throws refuses). */
function originAllowed(
  allowed: readonly string[] | ((origin: string) => boolean) | undefined,
  origin: string,
): boolean {
  if (allowed === undefined) return true;
  if (typeof allowed !== 'function') return allowed.includes(origin);
  try {
    return allowed(origin) === true;
  } catch {
    return false;
  }
}

/** One path served on an HTTP server. */
export interface Route {
  readonly webSocketServer: WebSocketServer;
  /** The origins accepted: a list, or a predicate asked at each upgrade (a throw refuses). */
  readonly allowedOrigins: readonly string[] | ((origin: string) => boolean) | undefined;
  /** Told of each upgrade refused for its `Origin` (after the 403 is on its way), for the listener's logger. */
  readonly refusedOrigin: (origin: string, socket: Socket) => void;
  /** Whether the listener takes one more socket (it counts the socket when it does, and a refusal when not). */
  readonly admit: (socket: Socket) => boolean;
  readonly accept: (webSocket: WebSocket, request: IncomingMessage, socket: Socket) => void;
}

/** The paths served on each HTTP server, and the one `upgrade` listener that routes them. */
type UpgradeListener = (request: IncomingMessage, socket: Socket, head: Buffer) => void;
const routers = new WeakMap<
  HttpServer | HttpsServer,
  { routes: Map<string, Route>; onUpgrade: UpgradeListener }
>();

/** Answers an upgrade request with an HTTP error and closes the socket once the answer is written. */
function refuseUpgrade(socket: Socket, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // Destroyed once written, so a client that never closes its side cannot hold the socket.
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
    socket.destroy(),
  );
}

/**
 * Serves WebSocket upgrades for `path` on `server` with `entry`; returns what removes the route (and,
 * with the last route, the server's one `upgrade` listener). A path already served keeps its first
 * entry, and the returned remover does nothing.
 */
export function addUpgradeRoute(server: HttpServer | HttpsServer, path: string, entry: Route): () => void {
  let router = routers.get(server);
  if (router === undefined) {
    const routes = new Map<string, Route>();
    // Whatever the request holds, this answers with an HTTP error or closes the socket: it never throws into the
    // HTTP server (which would end the process).
    const onUpgrade: UpgradeListener = (request, socket, head) => {
      socket.on('error', () => {}); // a client that vanishes mid-handshake costs only its socket
      try {
        const pathname = requestPath(request.url);
        if (pathname === undefined) {
          refuseUpgrade(socket, 400, 'Bad Request');
          return;
        }
        const target = routes.get(pathname);
        if (target === undefined) {
          // Another upgrade listener may serve this path; answer only when we are the only one.
          if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, 'Not Found');
          return;
        }
        const origin = request.headers.origin;
        if (origin !== undefined && !originAllowed(target.allowedOrigins, origin)) {
          refuseUpgrade(socket, 403, 'Forbidden');
          target.refusedOrigin(origin, socket);
          return;
        }
        if (!target.admit(socket)) {
          refuseUpgrade(socket, 503, 'Service Unavailable');
          return;
        }
        target.webSocketServer.handleUpgrade(request, socket, head, (webSocket) =>
          target.accept(webSocket, request, socket),
        );
      } catch {
        socket.destroy();
      }
    };
    router = { routes, onUpgrade };
    routers.set(server, router);
    server.on('upgrade', onUpgrade);
  }
  const { routes } = router;
  if (routes.has(path)) return () => {};
  routes.set(path, entry);
  return () => {
    if (routes.get(path) !== entry) return;
    routes.delete(path);
    if (routes.size === 0) {
      server.off('upgrade', router.onUpgrade);
      routers.delete(server);
    }
  };
}
