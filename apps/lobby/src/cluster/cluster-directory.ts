import type { Identity } from '@msc/identity';
import { Redis } from 'ioredis';
import type { GamePage, GamePageRequest, GameRedirect, GameSummary } from '../contracts.ts';
import { compareGameIds, nodeNamePattern, parseGameId } from '../game-id.ts';
import type { LauncherGame, PeerInfo } from '../launcher-game.ts';
import type { LobbyDirectory, ReserveOutcome } from '../lobby-directory.ts';
import { LobbyError } from '../lobby-error.ts';
import { printable } from '../text-rules.ts';
import { nodeRecordTail, parseNodeRecord, requestKey } from './directory-entry.ts';
import { type DirectoryKeys, defaultKeyPrefix, directoryKeys } from './directory-keys.ts';
import { DirectoryMirror, type MirrorEvent } from './directory-mirror.ts';
import { DirectoryPublisher } from './directory-publisher.ts';
import { DirectoryReaper } from './directory-reaper.ts';
import { checkTicket, issueTicket } from './game-ticket.ts';
import { NodeLease } from './node-lease.ts';
import { defaultRequestTtlMs, RequestReservations } from './request-reservations.ts';

/** Options of {@link ClusterDirectory}. */
export interface ClusterDirectoryOptions {
  /** The directory's Redis (`redis://127.0.0.1:6379`); Redis 7. */
  readonly redis: string;
  /** This node's name, unique in the cluster: 1–16 of `a-z`, `0-9`, `-`. Its game ids end in `.name`. */
  readonly node: string;
  /** The node's identity: players pin sessions to its fingerprint, and it signs tickets with it. */
  readonly identity: Identity;
  /** How long a node's lease lives without renewal, ms (renewed every third). Default 5,000. */
  readonly leaseMs?: number | undefined;
  /** How long a ticket from `redirect` is valid, ms. Default 10,000. */
  readonly ticketTtlMs?: number | undefined;
  /**
   * How far the nodes' clocks may disagree, ms: a ticket presented here may expire at most
   * `ticketTtlMs` plus this from now by this node's clock. Default 2,000.
   */
  readonly clockSkewMs?: number | undefined;
  /**
   * How long the reservation of a creation request lives in Redis, ms (or until its game is
   * unlisted); past it, a retry on another node is answered from the game's listing. Default 60,000.
   */
  readonly requestTtlMs?: number | undefined;
  /** The prefix of every key. Default `msc:lobby:`. */
  readonly keyPrefix?: string | undefined;
  /** The events stream's approximate length cap. Default 10,000. */
  readonly streamMaxLength?: number | undefined;
  /** How often the mirror takes a full snapshot again, ms. Default 30,000. */
  readonly resyncMs?: number | undefined;
  /** Every change the mirror applies (another node's game listed or unlisted, with why; nodes up and down). */
  readonly onEvent?: ((event: MirrorEvent) => void) | undefined;
  /** A line for each registration, lost lease, unreachable Redis and unlisted game. Default: nothing. */
  readonly log?: ((line: string) => void) | undefined;
}

/** The most other nodes' WebSocket addresses a page is given (and whose pages are accepted). */
export const maxPeerWebSockets = 64;
/** The default of {@link ClusterDirectoryOptions.leaseMs}. */
export const defaultLeaseMs = 5_000;
/** The default of {@link ClusterDirectoryOptions.ticketTtlMs}. */
export const defaultTicketTtlMs = 10_000;
/** The default of {@link ClusterDirectoryOptions.clockSkewMs}. */
export const defaultClockSkewMs = 2_000;

/**
 * The option `name`: `given`, or `fallback` when unset.
 *
 * @throws RangeError when it is not an integer of at least `least`
 */
function integerOption(name: string, given: number | undefined, fallback: number, least: number): number {
  const value = given ?? fallback;
  if (!Number.isInteger(value) || value < least) {
    throw new RangeError(`expected ${name} to be an integer of at least ${least}, got ${String(given)}`);
  }
  return value;
}

/**
 * A lobby node's part of the cluster's directory (a {@link LobbyDirectory}): its lease, the
 * publisher of its games, the reaper of dead nodes and the mirror of everyone's games, over two
 * Redis connections (commands, and the mirror's blocking reads). Nothing a player does waits for
 * Redis: publishing is in the background, listing reads the mirror, and `redirect` signs a
 * ticket locally (it fails at once, `directory-unavailable`, while the mirror is stale or before the
 * node first registered); `checkTicket` reads Redis (one HGET) only for an issuer its mirror does
 * not know yet.
 */
export class ClusterDirectory implements LobbyDirectory {
  readonly idSuffix: string;
  readonly node: string;
  readonly keys: DirectoryKeys;
  readonly #options: ClusterDirectoryOptions;
  /** `ticketTtlMs` and `clockSkewMs` of the options, checked, defaults applied. */
  readonly #ticketTtlMs: number;
  readonly #clockSkewMs: number;
  readonly #commands: Redis;
  readonly #reader: Redis;
  readonly #local = new Map<string, LauncherGame>();
  /** Request keys of this node's games created with a request id. */
  readonly #requests = new Map<string, string>();
  readonly #mirror: DirectoryMirror;
  readonly #publisher: DirectoryPublisher;
  readonly #reaper: DirectoryReaper;
  readonly #reservations: RequestReservations;
  /** Issuers being looked up in Redis (a ticket's issuer the mirror does not know yet), by name. */
  readonly #issuerLookups = new Map<string, Promise<string | undefined>>();
  #lease: NodeLease | undefined;
  #started = false;
  #closed = false;

  /** @throws RangeError for a bad node name, or a lease, ticket lifetime or clock skew that is not an integer in range */
  constructor(options: ClusterDirectoryOptions) {
    if (!nodeNamePattern.test(options.node))
      throw new RangeError(
        `expected a node name of 1 to 16 of a-z, 0-9 and -, got ${JSON.stringify(options.node)}`,
      );
    const leaseMs = integerOption('leaseMs', options.leaseMs, defaultLeaseMs, 100);
    this.#clockSkewMs = integerOption('clockSkewMs', options.clockSkewMs, defaultClockSkewMs, 0);
    this.#ticketTtlMs = integerOption('ticketTtlMs', options.ticketTtlMs, defaultTicketTtlMs, 100);
    const requestTtlMs = integerOption('requestTtlMs', options.requestTtlMs, defaultRequestTtlMs, 1_000);
    this.#options = options;
    this.node = options.node;
    this.idSuffix = `.${options.node}`;
    this.keys = directoryKeys(options.keyPrefix ?? defaultKeyPrefix);
    const log = (line: string) => options.log?.(printable(line));
    const connection = (role: string, commandTimeout: number) => {
      const redis = new Redis(options.redis, {
        // Fail at once while disconnected: the lobby never waits for Redis.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 1_000,
        commandTimeout,
        retryStrategy: (times) => Math.min(50 * times, 500),
        connectionName: `msc-lobby-${options.node}-${role}`,
      });
      let lastError = '';
      redis.on('error', (error: Error) => {
        if (error.message !== lastError) log(`node ${options.node}: redis ${role}: ${error.message}`);
        lastError = error.message;
      });
      redis.on('ready', () => {
        lastError = '';
      });
      return redis;
    };
    this.#commands = connection('commands', 1_000);
    this.#reader = connection('mirror', 2_500);
    const maxlen = options.streamMaxLength ?? 10_000;
    this.#mirror = new DirectoryMirror({
      reader: this.#reader,
      keys: this.keys,
      node: options.node,
      log,
      resyncMs: options.resyncMs,
      onEvent: (event) => {
        if (event.kind === 'unlisted')
          log(`node ${options.node}: game ${event.id} of ${event.owner} unlisted: ${event.why}`);
        options.onEvent?.(event);
      },
    });
    this.#publisher = new DirectoryPublisher({
      redis: this.#commands,
      keys: this.keys,
      node: options.node,
      maxlen,
      epoch: () => this.#lease?.epoch,
      summary: (id) => this.#local.get(id)?.summary(),
      request: (id) => this.#requests.get(id),
      fenced: () => this.#lease?.lost(),
      log,
    });
    this.#reaper = new DirectoryReaper(this.#commands, this.keys, leaseMs, maxlen);
    this.#reservations = new RequestReservations({
      redis: this.#commands,
      keys: this.keys,
      node: options.node,
      ttlMs: requestTtlMs,
      // A live owner publishes its game within a batch; one frozen shorter than its lease still counts.
      waitMs: leaseMs,
      isOpenHere: (id) => this.#local.has(id),
      whenListed: (id, timeoutMs) => this.#mirror.whenListed(id, timeoutMs),
      ignored: () => this.#mirror.ignore(),
      log,
    });
  }

  /** The node's epoch now (`undefined` until it first registered). */
  get epoch(): number | undefined {
    return this.#lease?.epoch;
  }

  /** Whether the node holds its lease, as far as it can tell. */
  get leaseHeld(): boolean {
    return this.#lease?.held ?? false;
  }

  /** Whether the mirror may be out of date (Redis unreachable). */
  get stale(): boolean {
    return this.#mirror.stale;
  }

  /** Entries and stream items read from Redis that did not parse (ignored). */
  get ignoredEntries(): number {
    return this.#mirror.ignored;
  }

  /** Other nodes' games as the mirror holds them. */
  get mirroredGames(): readonly GameSummary[] {
    return this.#mirror.games;
  }

  /**
   * The WebSocket addresses of the other nodes that serve browsers, as the mirror knows them (at
   * most {@link maxPeerWebSockets}): where this node's page may send its players, and whose pages
   * this node's WebSocket endpoint accepts.
   */
  peerWebSockets(): string[] {
    const addresses: string[] = [];
    for (const record of this.#mirror.nodes) {
      if (addresses.length === maxPeerWebSockets) break;
      if (record.name !== this.node && record.webSocket !== undefined) addresses.push(record.webSocket);
    }
    return addresses;
  }

  /**
   * Joins the directory as reachable at `address` (the node's TCP address, as players dial it) and,
   * when it serves browsers, at `webSocket` (`ws://host:port/msc`): registers (now, or once Redis
   * answers), then keeps the lease and the mirror.
   */
  start(address: string, webSocket?: string): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    const { identity, node } = this.#options;
    const log = (line: string) => this.#options.log?.(printable(line));
    this.#lease = new NodeLease({
      redis: this.#commands,
      keys: this.keys,
      node,
      recordTail: nodeRecordTail({
        name: node,
        address,
        ...(webSocket !== undefined ? { webSocket } : {}),
        fingerprint: identity.fingerprint,
        publicKey: identity.publicIdentity.publicKeyText,
      }),
      leaseMs: this.#options.leaseMs ?? defaultLeaseMs,
      maxlen: this.#options.streamMaxLength ?? 10_000,
      registered: () => this.#publisher.republish(this.#local.keys()),
      log,
    });
    this.#lease.start();
    // Register the moment Redis answers, not a renewal period later: until then the mirror may
    // already list other nodes' games, but this node issues no ticket (see `redirect`).
    this.#commands.on('ready', () => void this.#lease?.tick());
    this.#reaper.start();
    this.#mirror.start();
  }

  gameChanged(game: LauncherGame): void {
    // The `launched` and `closed` events come before the unlisting: a game not open is not put back.
    if (game.phase !== 'open') return;
    this.#local.set(game.id, game);
    this.#publisher.mark(game.id);
  }

  gameRequested(game: LauncherGame, fingerprint: string, requestId: string): void {
    this.#requests.set(game.id, requestKey(fingerprint, requestId));
    this.#publisher.mark(game.id);
  }

  createdElsewhere(fingerprint: string, requestId: string): string | undefined {
    return this.#mirror.gameCreatedBy(requestKey(fingerprint, requestId));
  }

  reserve(fingerprint: string, requestId: string, id: string): Promise<ReserveOutcome> | undefined {
    if (this.#closed) return undefined;
    return this.#reservations.reserve(requestKey(fingerprint, requestId), id);
  }

  release(id: string): void {
    this.#reservations.release(id);
  }

  gameUnlisted(game: LauncherGame): void {
    this.#reservations.release(game.id);
    this.#local.delete(game.id);
    this.#requests.delete(game.id);
    this.#publisher.mark(game.id, game.phase === 'launched' ? 'it was launched' : 'it was closed');
  }

  listGames(page: GamePageRequest, local: readonly LauncherGame[], limit: number): GamePage {
    const after = typeof page.after === 'string' ? page.after : undefined;
    const mine = local.filter((game) => after === undefined || compareGameIds(game.id, after) > 0);
    const remote = this.#mirror.games;
    // Both lists are in id order: skip the remote ones up to the cursor (binary search), then merge.
    let low = 0;
    let high = remote.length;
    while (after !== undefined && low < high) {
      const middle = (low + high) >>> 1;
      if (compareGameIds((remote[middle] as GameSummary).id, after) <= 0) low = middle + 1;
      else high = middle;
    }
    const games: GameSummary[] = [];
    let i = 0;
    let j = low;
    while (games.length < limit && (i < mine.length || j < remote.length)) {
      const a = mine[i];
      const b = remote[j];
      if (b === undefined || (a !== undefined && compareGameIds(a.id, b.id) < 0)) {
        games.push((a as LauncherGame).summary());
        i++;
      } else {
        games.push(summaryOf(b));
        j++;
      }
    }
    const more = i < mine.length || j < remote.length;
    return { games, next: more ? (games.at(-1)?.id ?? null) : null, stale: this.#mirror.stale };
  }

  ownedElsewhere(id: string): boolean {
    const owner = parseGameId(id)?.node;
    if (owner === undefined || owner === '' || owner === this.node) return false;
    return this.#mirror.stale || this.#mirror.game(id) !== undefined;
  }

  async redirect(id: string, peer: PeerInfo): Promise<GameRedirect> {
    if (this.#mirror.stale)
      throw new LobbyError(
        'directory-unavailable',
        `expected the cluster's directory to answer, but node ${this.node} cannot reach it now: games of this node can be opened, others once it is back`,
      );
    // A node not registered yet is no node of the cluster to the owner: its ticket would be refused.
    if (this.#lease?.epoch === undefined)
      throw new LobbyError(
        'directory-unavailable',
        `expected node ${this.node} to have joined the cluster's directory, but it has not registered yet: try again in a moment`,
      );
    const entry = this.#mirror.game(id);
    const record = entry === undefined ? undefined : this.#mirror.nodeRecord(entry.owner);
    if (entry === undefined || record === undefined || record.epoch !== entry.epoch)
      throw new LobbyError('no-such-game', `expected the id of a listed game, got ${JSON.stringify(id)}`);
    // The owner's address on the transport the player is on: a browser cannot dial TCP.
    const address = peer.transport === 'ws' ? record.webSocket : record.address;
    if (address === undefined)
      throw new LobbyError(
        'directory-unavailable',
        `expected node ${entry.owner}, which owns ${id}, to serve browsers, but it advertises no WebSocket address: join it from a terminal client, or from node ${entry.owner}'s own page`,
      );
    const expiresAt = Date.now() + this.#ticketTtlMs;
    const ticket = await issueTicket(this.#options.identity, {
      v: 1,
      game: id,
      owner: entry.owner,
      ownerEpoch: entry.epoch,
      player: peer.fingerprint,
      issuer: this.node,
      exp: expiresAt,
    });
    return { gameId: id, address, fingerprint: record.fingerprint, ticket, expiresAt };
  }

  async checkTicket(id: string, ticket: string, peer: PeerInfo): Promise<void> {
    await checkTicket(ticket, {
      game: id,
      owner: this.node,
      ownerEpoch: this.#lease?.held ? this.#lease.epoch : undefined,
      player: peer.fingerprint,
      issuerKey: (issuer, fresh) => {
        if (issuer === this.node) return this.#options.identity.publicIdentity.publicKeyText;
        return fresh ? this.#issuerFromRedis(issuer) : this.#mirror.nodeRecord(issuer)?.publicKey;
      },
      now: Date.now(),
      maxLifetimeMs: this.#ticketTtlMs + this.#clockSkewMs,
    });
  }

  /**
   * The public key of node `name` as the directory's nodes hash holds it now: for a ticket whose
   * issuer this node's mirror does not know yet (the issuer registered a moment ago and the mirror
   * has not read its `node-up`) or knows under an old key. Reached only by a ticket that passed
   * every cheap check (this game, this node and epoch, the presenting player, not expired), with a
   * well-formed name; lookups of one name share one HGET; a failure (Redis unreachable: the
   * commands connection fails at once, or within its 1 s timeout) answers `undefined`.
   */
  #issuerFromRedis(name: string): Promise<string | undefined> {
    let lookup = this.#issuerLookups.get(name);
    if (lookup === undefined) {
      lookup = this.#commands
        .hget(this.keys.nodes, name)
        .then(
          (text) => parseNodeRecord(name, text)?.publicKey,
          () => undefined,
        )
        .finally(() => this.#issuerLookups.delete(name));
      this.#issuerLookups.set(name, lookup);
    }
    return lookup;
  }

  /**
   * Leaves the directory: stops the lease, the reaper, the mirror and the publisher; with `release`
   * (a clean shutdown) removes the lease first, so every node unlists this one's games at once.
   */
  async close(release = true): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lease?.close();
    this.#reaper.close();
    this.#publisher.close();
    if (release) {
      try {
        await this.#lease?.release();
        await this.#reaper.reap();
      } catch {
        // Redis is down: the lease expires by itself and another node's reaper unlists the games.
      }
    }
    this.#commands.disconnect();
    this.#reader.disconnect();
    await this.#mirror.close();
  }
}

function summaryOf(entry: GameSummary): GameSummary {
  return {
    id: entry.id,
    name: entry.name,
    createdBy: entry.createdBy,
    lsn: entry.lsn,
    settings: entry.settings,
    openSlots: entry.openSlots,
  };
}
