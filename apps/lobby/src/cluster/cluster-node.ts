import { tcp } from '@msc/transport-tcp';
import { LobbyServer, type LobbyServerOptions } from '../lobby-server.ts';
import { ClusterDirectory, type ClusterDirectoryOptions } from './cluster-directory.ts';
import { webSocketAddressPattern } from './directory-entry.ts';

/** Options of {@link ClusterNode.start}. */
export interface ClusterNodeOptions extends Omit<LobbyServerOptions, 'directory'> {
  /** The directory: Redis, this node's name, lease and ticket times (the identity is the server's). */
  readonly cluster: Omit<ClusterDirectoryOptions, 'identity'>;
  /** Where players connect over TCP. Default `tcp:127.0.0.1:0` (a free port). */
  readonly tcp?: string | undefined;
  /**
   * The address advertised to other nodes' players (`tcp:host:port`). Default: the bound address,
   * which must then not be a wildcard (`0.0.0.0`, `::`): nobody can dial that.
   */
  readonly advertise?: string | undefined;
  /**
   * Serve browsers: called once the server listens on TCP, it starts the page server and its
   * WebSocket endpoint (`serveWeb` of `@msc/lobby/web`, given `peerWebSockets` as its option of that
   * name) and returns where it listens. The node then advertises that WebSocket address too, so a
   * browser on another node follows a redirect here. Default: TCP only. (A function, so that this
   * entry does not load the page's bundler.)
   */
  readonly web?:
    | ((
        server: LobbyServer,
        peerWebSockets: () => readonly string[],
      ) => Promise<{ readonly webSocketAddress: string }>)
    | undefined;
  /**
   * The WebSocket address advertised to other nodes' browsers (`ws://host:port/msc`, `wss://…`).
   * Default: the one `web` returned, which must then not be a wildcard.
   */
  readonly advertiseWebSocket?: string | undefined;
}

const wildcardHost = /^(?:tcp:|wss?:\/\/)(?:0\.0\.0\.0|\[::\]|::):/;

/**
 * A lobby node of a cluster: a {@link LobbyServer} listening on TCP whose games are advertised in
 * the cluster's Redis directory and that lists every node's games. Each game lives on the node
 * that created it; players reach another node's game through `redirect` and a ticket
 * (`LobbyClient` does that by itself).
 */
export class ClusterNode implements AsyncDisposable {
  readonly server: LobbyServer;
  readonly directory: ClusterDirectory;
  /** The TCP address players dial (the advertised one). */
  readonly address: string;
  /** The WebSocket address browsers dial (the advertised one), when the node serves them. */
  readonly webSocketAddress: string | undefined;

  private constructor(
    server: LobbyServer,
    directory: ClusterDirectory,
    address: string,
    webSocketAddress: string | undefined,
  ) {
    this.server = server;
    this.directory = directory;
    this.address = address;
    this.webSocketAddress = webSocketAddress;
  }

  /**
   * Starts the server, then joins the directory (at once, or when Redis answers: the node serves
   * its own players meanwhile).
   *
   * @throws what the transport throws for a busy address; Error for a wildcard address without
   *   `advertise` (or `advertiseWebSocket`), or a WebSocket address the directory could not carry
   */
  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const directory = new ClusterDirectory({
      ...options.cluster,
      identity: options.identity,
      ...(options.log !== undefined && options.cluster.log === undefined ? { log: options.log } : {}),
    });
    const server = new LobbyServer({ ...options, directory });
    try {
      const bound = await server.listen(tcp(), options.tcp ?? 'tcp:127.0.0.1:0');
      const address = options.advertise ?? bound;
      if (wildcardHost.test(address))
        throw new Error(`expected an address players can dial, but ${address} is a wildcard: pass advertise`);
      server.own(() => directory.close());
      const endpoint = await options.web?.(server, () => directory.peerWebSockets());
      const webSocket =
        endpoint === undefined ? undefined : (options.advertiseWebSocket ?? endpoint.webSocketAddress);
      if (webSocket !== undefined && wildcardHost.test(webSocket))
        throw new Error(
          `expected a WebSocket address browsers can dial, but ${webSocket} is a wildcard: pass advertiseWebSocket`,
        );
      if (webSocket !== undefined && !webSocketAddressPattern.test(webSocket))
        throw new Error(
          `expected a WebSocket address like ws://host:port/msc, got ${JSON.stringify(webSocket)}: pass advertiseWebSocket`,
        );
      directory.start(address, webSocket);
      return new ClusterNode(server, directory, address, webSocket);
    } catch (error) {
      await server.close();
      await directory.close(false);
      throw error;
    }
  }

  /** Leaves the directory (its games are unlisted at once) and shuts the server down. */
  async close(reason?: string): Promise<void> {
    await this.directory.close();
    await this.server.close(reason);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
