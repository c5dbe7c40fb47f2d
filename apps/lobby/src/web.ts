/**
 * `@msc/lobby/web`: the lobby's page server (the browser client and its WebSocket endpoint), for tools
 * that run a lobby reachable from a browser. An entry of its own, apart from `@msc/lobby/server`,
 * because it loads the browser client's bundler (rollup) with it.
 *
 * @example
 * ```ts
 * import { serveWeb } from '@msc/lobby/web';
 *
 * const web = await serveWeb(server, { port: 8080 }); // server: a LobbyServer
 * console.log(`open ${web.url}`);
 * ```
 *
 * @packageDocumentation
 */
export { type ServeWebOptions, serveWeb, type WebEndpoint, webEndpointPath } from './web/web-server.ts';
