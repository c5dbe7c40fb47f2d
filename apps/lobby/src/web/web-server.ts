import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@msc/transport';
import { ws } from '@msc/transport-ws';
import type { LobbyServer } from '../lobby-server.ts';
import { bundleBrowserClient } from './bundle-browser-client.ts';
import { GuardedHttpServer } from './guarded-http-server.ts';
import { indexHtml } from './page.ts';
import { contentSecurityPolicyFor, securityHeaders } from './page-headers.ts';

/** The path of the web endpoint's WebSocket, and the name its handshakes are bound to. */
export const webEndpointPath = '/msc';

/** Options of {@link serveWeb}. */
export interface ServeWebOptions {
  /** Host to listen on. Default `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Port to listen on; 0 picks a free one. Default 0. */
  readonly port?: number | undefined;
  /** The browser client's code; bundled with rollup when not given. */
  readonly script?: string | undefined;
  /** A line for page-server problems (a handler that failed). Default: nothing. */
  readonly log?: ((line: string) => void) | undefined;
  /** Where the WebSocket listener reports refused connections (`logger` of `ws()`). Default: nothing. */
  readonly logger?: Logger | undefined;
  /**
   * In a cluster: the other nodes' WebSocket addresses (`ws://host:port/msc`), asked at each page
   * load and each upgrade. The page may connect to them (its CSP's `connect-src` names them, so a
   * player follows a redirect to a game's owner), and pages served by them may connect here (their
   * origins, `http://host:port`, are accepted besides this page's own). Default: none.
   */
  readonly peerWebSockets?: (() => readonly string[]) | undefined;
}

/** The page origin that serves WebSocket endpoint `address` (`ws://h:p/msc` → `http://h:p`), or `undefined`. */
export function pageOriginOf(address: string): string | undefined {
  try {
    const url = new URL(address);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return undefined;
    return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`;
  } catch {
    return undefined;
  }
}

/** Where a lobby server's web endpoint listens. */
export interface WebEndpoint {
  /** The page: `http://host:port/`. */
  readonly url: string;
  /** The WebSocket address sessions connect to: `ws://host:port/msc`. */
  readonly webSocketAddress: string;
}

/**
 * Makes `server` reachable from browsers: one HTTP server serves the browser client (`/`,
 * `/lobby.js` and `/lobby.css`) and carries the lobby's WebSocket endpoint on `/msc`. Browsers are only accepted
 * from this page's own origin (and, in a cluster, from the pages of the nodes in `peerWebSockets`).
 * The HTTP server closes when the lobby server does.
 *
 * The HTTP server is a {@link GuardedHttpServer}: a request-target Node accepts but `new URL()`
 * does not is answered `400` before any handler (or the WebSocket upgrade router) sees it, and a
 * failing handler costs its request only. Responses carry a CSP (own script, own style sheet,
 * `connect-src 'self'`, `frame-ancestors 'none'`), `nosniff` and the other {@link securityHeaders}.
 */
export async function serveWeb(server: LobbyServer, options: ServeWebOptions = {}): Promise<WebEndpoint> {
  const script = options.script ?? (await bundleBrowserClient());
  const style = await readFile(new URL('./lobby.css', import.meta.url), 'utf8');
  // Every response carries the security headers; no request-target reaches a parser that throws.
  const http = new GuardedHttpServer((request, response, path) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...securityHeaders, allow: 'GET, HEAD' }).end();
    } else if (path === '/') {
      const peers = options.peerWebSockets?.() ?? [];
      response
        .writeHead(200, {
          ...securityHeaders,
          ...(peers.length > 0 ? { 'content-security-policy': contentSecurityPolicyFor(peers) } : {}),
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end(indexHtml);
    } else if (path === '/lobby.js') {
      response
        .writeHead(200, {
          ...securityHeaders,
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end(script);
    } else if (path === '/lobby.css') {
      response
        .writeHead(200, {
          ...securityHeaders,
          'content-type': 'text/css; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end(style);
    } else {
      response.writeHead(404, { ...securityHeaders, 'content-type': 'text/plain' }).end('not found');
    }
  }, options.log);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host, port: options.port ?? 0 }, () => {
      http.off('error', reject);
      resolve();
    });
  });
  server.own(
    () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  );
  const { port } = http.address() as AddressInfo;
  const origins = [`http://${host}:${port}`, `http://localhost:${port}`];
  const peers = options.peerWebSockets;
  const allowedOrigins =
    peers === undefined
      ? origins
      : (origin: string) =>
          origins.includes(origin) || peers().some((address) => pageOriginOf(address) === origin);
  const webSocketAddress = await server.listen(
    ws({ server: http, allowedOrigins, logger: options.logger }),
    webEndpointPath,
  );
  return { url: `http://${host}:${port}/`, webSocketAddress };
}
