/**
 * `@msc/lobby/server`: the lobby server as a library, for tools that run one (the reliability soak)
 * or embed one.
 *
 * - {@link LobbyServer}: listens on the given addresses, authenticates every player with ed25519
 *   identities and serves each one an `ILobby` facet.
 * - {@link sipGameHost} / {@link inProcessGameHost}: where launched games run (a SIP of their own, or
 *   this thread).
 * - {@link ClusterNode} / {@link ClusterDirectory}: a lobby node of a cluster whose directory is in
 *   Redis (see the README's "The lobby across machines").
 * - {@link LobbyLimits} ({@link defaultLobbyLimits}): games, watchers, backlogs, page sizes and chat and settings rates;
 *   {@link lobbySessionLimits} and {@link defaultMaxBufferedBytesTotal}: the lobby's session limit
 *   and server-wide output budget defaults (the page server is `@msc/lobby/web`).
 *
 * @example
 * ```ts
 * import { Identity } from '@msc/identity';
 * import { LobbyServer, sipGameHost } from '@msc/lobby/server';
 * import { tcp } from '@msc/transport-tcp';
 *
 * const server = new LobbyServer({
 *   identity: await Identity.generate({ name: 'lobby' }),
 *   gameHost: sipGameHost(),
 * });
 * const address = await server.listen(tcp(), 'tcp:127.0.0.1:0');
 * // ... players connect with LobbyClient.connect(...) from '@msc/lobby/client'
 * await server.close();
 * ```
 *
 * @packageDocumentation
 */
export {
  ClusterDirectory,
  type ClusterDirectoryOptions,
  defaultLeaseMs,
  defaultTicketTtlMs,
} from './cluster/cluster-directory.ts';
export { ClusterNode, type ClusterNodeOptions } from './cluster/cluster-node.ts';
export type { GameHost, HostedGame, HostedGameEnd } from './game-host.ts';
export { inProcessGameHost } from './in-process-game-host.ts';
export {
  defaultLobbyLimits,
  type LobbyLimitOverrides,
  type LobbyLimits,
  lobbyLimits,
} from './lobby-limits.ts';
export {
  defaultMaxBufferedBytesTotal,
  LobbyServer,
  type LobbyServerOptions,
  lobbySessionLimits,
} from './lobby-server.ts';
export { type SipGameHostOptions, sipGameHost } from './sip-game-host.ts';
