import { tcp } from '@msc/transport-tcp';
import { LobbyServer, type LobbyServerOptions } from '../lobby-server.ts';
import { ClusterDirectory, type ClusterDirectoryOptions } from './cluster-directory.ts';

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
}

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

  private constructor(server: LobbyServer, directory: ClusterDirectory, address: string) {
    this.server = server;
    this.directory = directory;
    this.address = address;
  }

  /**
   * Starts the server, then joins the directory (at once, or when Redis answers: the node serves
   * its own players meanwhile).
   *
   * @throws what the transport throws for a busy address; Error for a wildcard address without `advertise`
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
      if (/^tcp:(?:0\.0\.0\.0|\[::\]|::):/.test(address))
        throw new Error(`expected an address players can dial, but ${address} is a wildcard: pass advertise`);
      server.own(() => directory.close());
      directory.start(address);
      return new ClusterNode(server, directory, address);
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
