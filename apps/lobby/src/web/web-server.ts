import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ws } from '@msc/transport-ws';
import type { LobbyServer } from '../lobby-server.ts';
import { bundleBrowserClient } from './bundle-browser-client.ts';
import { indexHtml } from './page.ts';

/** The path of the web endpoint's WebSocket, and the name its handshakes are bound to. */
export const webEndpointPath = '/msc';

/** Options of {@link serveWeb}. */
export interface ServeWebOptions {
  /** Host to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** The browser client's code; bundled with rollup when not given. */
  readonly script?: string;
}

/** Where a lobby server's web endpoint listens. */
export interface WebEndpoint {
  /** The page: `http://host:port/`. */
  readonly url: string;
  /** The WebSocket address sessions connect to: `ws://host:port/msc`. */
  readonly webSocketAddress: string;
}

/**
 * Makes `server` reachable from browsers: one HTTP server serves the browser client (`/` and
 * `/lobby.js`) and carries the lobby's WebSocket endpoint on `/msc`. Browsers are only accepted
 * from this page's own origin. The HTTP server closes when the lobby server does.
 */
export async function serveWeb(server: LobbyServer, options: ServeWebOptions = {}): Promise<WebEndpoint> {
  const script = options.script ?? (await bundleBrowserClient());
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET') {
      response.writeHead(405).end();
    } else if (path === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(indexHtml);
    } else if (path === '/lobby.js') {
      response
        .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
        .end(script);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
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
  const webSocketAddress = await server.listen(
    ws({ server: http, allowedOrigins: origins }),
    webEndpointPath,
  );
  return { url: `http://${host}:${port}/`, webSocketAddress };
}
