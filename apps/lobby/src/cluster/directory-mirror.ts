import type { Redis } from 'ioredis';
import { compareGameIds } from '../game-id.ts';
import { type GameEntry, type NodeRecord, parseGameEntry, parseNodeRecord } from './directory-entry.ts';
import type { DirectoryKeys } from './directory-keys.ts';

/** A change the mirror saw. */
export type MirrorEvent =
  | { readonly kind: 'listed'; readonly entry: GameEntry }
  | { readonly kind: 'unlisted'; readonly id: string; readonly owner: string; readonly why: string }
  | { readonly kind: 'node-up'; readonly node: NodeRecord }
  | { readonly kind: 'node-down'; readonly node: string; readonly why: string };

/** Options of {@link DirectoryMirror}. */
export interface DirectoryMirrorOptions {
  /** A connection of the mirror's own: it blocks on the stream. */
  readonly reader: Redis;
  readonly keys: DirectoryKeys;
  /** This node's name: its own games are not mirrored (the lobby lists them as they are). */
  readonly node: string;
  /** Called for every change applied (never throws out of the mirror: errors are logged). */
  readonly onEvent?: ((event: MirrorEvent) => void) | undefined;
  readonly log: (line: string) => void;
  /** A full snapshot is taken again this often, ms (catches a stream trimmed past the mirror). Default 30,000. */
  readonly resyncMs?: number | undefined;
  /** How long the stream read blocks, ms; the mirror is stale after three times that without an answer. Default 500. */
  readonly blockMs?: number | undefined;
  /** The most games mirrored; past it new ones are ignored (and counted). Default 20,000. */
  readonly maxGames?: number | undefined;
  /** The most node records mirrored; past it new ones are ignored (and counted). Default 1,024. */
  readonly maxNodes?: number | undefined;
}

/** Fields asked of Redis per page of a snapshot (`HSCAN ... COUNT`; Redis may return a few more). */
export const snapshotPage = 512;

/** The most `whenListed` calls waiting at once (past it they answer `false` at once). */
export const maxListingWaiters = 1_024;

type StreamReply = [key: string, items: [id: string, fields: string[]][]][] | null;

/**
 * Every other node's games and every node's record, as last read from the directory: a snapshot
 * (the stream's last id, then the hashes in pages), then the stream's changes from that id.
 * `listGames` is answered from here, with no Redis round trip. When the reader cannot reach Redis,
 * the mirror keeps what it had and says it is `stale`; on the next success it takes a fresh
 * snapshot. Entries that do not parse are ignored and counted (`ignored`).
 */
export class DirectoryMirror {
  readonly #options: DirectoryMirrorOptions;
  readonly #games = new Map<string, GameEntry>();
  readonly #nodes = new Map<string, NodeRecord>();
  /** Request key → game id, for the games created with a request id. */
  readonly #byRequest = new Map<string, string>();
  #sorted: GameEntry[] | undefined;
  #lastId = '0-0';
  #synced = false;
  #lastAnswer = 0;
  #lastSnapshot = 0;
  #closed = false;
  #running: Promise<void> | undefined;
  #ignored = 0;
  /** Who waits for a game to be mirrored (`whenListed`), by id; at most `maxListingWaiters` in all. */
  readonly #waiters = new Map<string, Set<(listed: boolean) => void>>();
  #waiting = 0;

  readonly #maxGames: number;
  readonly #maxNodes: number;

  constructor(options: DirectoryMirrorOptions) {
    this.#options = options;
    this.#maxGames = options.maxGames ?? 20_000;
    this.#maxNodes = options.maxNodes ?? 1_024;
  }

  /** Entries and stream items that did not parse, so far. */
  get ignored(): number {
    return this.#ignored;
  }

  /** Whether what the mirror holds may be out of date (Redis not answering, or no snapshot yet). */
  get stale(): boolean {
    const blockMs = this.#options.blockMs ?? 500;
    return !this.#synced || performance.now() - this.#lastAnswer > Math.max(blockMs * 3, 1_500);
  }

  /** Other nodes' games, ordered by id (number, then node). */
  get games(): readonly GameEntry[] {
    this.#sorted ??= [...this.#games.values()].sort((a, b) => compareGameIds(a.id, b.id));
    return this.#sorted;
  }

  /** The entry of another node's game. */
  game(id: string): GameEntry | undefined {
    return this.#games.get(id);
  }

  /** The id of another node's game created with request key `request`. */
  gameCreatedBy(request: string): string | undefined {
    return this.#byRequest.get(request);
  }

  /**
   * Resolves `true` once another node's game `id` is mirrored (at once when it is), `false` after
   * `timeoutMs`, when the mirror closes, or at once when {@link maxListingWaiters} wait already.
   */
  whenListed(id: string, timeoutMs: number): Promise<boolean> {
    if (this.#games.has(id)) return Promise.resolve(true);
    if (this.#closed || this.#waiting >= maxListingWaiters) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let waiters = this.#waiters.get(id);
      if (waiters === undefined) this.#waiters.set(id, (waiters = new Set()));
      const settle = (listed: boolean) => {
        clearTimeout(timer);
        this.#waiting--;
        waiters.delete(settle);
        if (waiters.size === 0 && this.#waiters.get(id) === waiters) this.#waiters.delete(id);
        resolve(listed);
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      timer.unref();
      waiters.add(settle);
      this.#waiting++;
    });
  }

  #put(entry: GameEntry): void {
    const before = this.#games.get(entry.id);
    if (before?.request !== undefined && this.#byRequest.get(before.request) === entry.id)
      this.#byRequest.delete(before.request);
    this.#games.set(entry.id, entry);
    if (entry.request !== undefined) this.#byRequest.set(entry.request, entry.id);
    const waiters = this.#waiters.get(entry.id);
    if (waiters !== undefined) for (const settle of [...waiters]) settle(true);
  }

  /** Every node's record (this one included) as last read. */
  get nodes(): IterableIterator<NodeRecord> {
    return this.#nodes.values();
  }

  /** The record of a node (this one included) as last read. */
  nodeRecord(name: string): NodeRecord | undefined {
    return this.#nodes.get(name);
  }

  /** Starts following the directory. */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops following (the reader connection is the caller's to close). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiters of [...this.#waiters.values()]) for (const settle of [...waiters]) settle(false);
    await this.#running;
  }

  async #run(): Promise<void> {
    const resyncMs = this.#options.resyncMs ?? 30_000;
    while (!this.#closed) {
      try {
        if (!this.#synced || performance.now() - this.#lastSnapshot > resyncMs) await this.#snapshot();
        await this.#follow();
      } catch (error) {
        if (this.#closed) return;
        if (this.#synced)
          this.#options.log(
            `node ${this.#options.node}: directory mirror lost Redis (${error instanceof Error ? error.message : String(error)}); listing from memory, marked stale`,
          );
        this.#synced = false;
        await new Promise((resolve) => setTimeout(resolve, 200).unref());
      }
    }
  }

  /**
   * Reads the directory in pages (`HSCAN`, {@link snapshotPage} entries a page), never all of it at
   * once: a runaway or hostile directory of a million games costs the mirror at most `maxGames`
   * entries (and `maxNodes` records), each page parsed and dropped before the next is read. The
   * stream's last id is read first, so every change made while the pages are read is replayed by
   * the stream after it (puts and deletions in order: the mirror ends where the directory is).
   */
  async #snapshot(): Promise<void> {
    const { reader, keys } = this.#options;
    const last = (await reader.xrevrange(keys.events, '+', '-', 'COUNT', 1)) as [string, string[]][];
    // Keyed by name and id: HSCAN may return a field twice (while Redis rehashes the hash).
    const nodes = new Map<string, NodeRecord>();
    const nodesComplete = await this.#scan(keys.nodes, this.#maxNodes, nodes, (name, text) => {
      const record = parseNodeRecord(name, text);
      if (record === undefined) this.#ignore();
      else nodes.set(name, record);
    });
    const games = new Map<string, GameEntry>();
    const gamesComplete = await this.#scan(keys.games, this.#maxGames, games, (id, text) => {
      const entry = parseGameEntry(id, text);
      if (entry === undefined) this.#ignore();
      else if (entry.owner !== this.#options.node) games.set(id, entry);
    });
    if (this.#closed) return;
    const over = [
      ...(nodesComplete ? [] : [`${this.#maxNodes} node records (maxNodes)`]),
      ...(gamesComplete ? [] : [`${this.#maxGames} games (maxGames)`]),
    ];
    if (over.length > 0)
      this.#options.log(
        `node ${this.#options.node}: the directory holds more than the mirror keeps; it read no further than ${over.join(' and ')}`,
      );
    // From here on synchronous: nobody sees a half-made snapshot.
    const before = new Map(this.#games);
    this.#games.clear();
    this.#byRequest.clear();
    this.#nodes.clear();
    for (const [name, record] of nodes) this.#nodes.set(name, record);
    for (const entry of games.values()) this.#put(entry);
    this.#sorted = undefined;
    this.#lastId = last[0]?.[0] ?? '0-0';
    this.#synced = true;
    this.#lastAnswer = performance.now();
    this.#lastSnapshot = this.#lastAnswer;
    // What changed while the mirror was away, as events (a game gone while Redis was down, say).
    for (const [id, entry] of before) {
      if (!this.#games.has(id))
        this.#emit({ kind: 'unlisted', id, owner: entry.owner, why: 'it was no longer in the directory' });
    }
    for (const [id, entry] of this.#games) {
      if (!before.has(id)) this.#emit({ kind: 'listed', entry });
    }
  }

  /**
   * Walks hash `key` a page at a time, handing every field to `read`, until `kept` holds `most`
   * entries or `2 × most` fields were read (fields that do not parse, or this node's own games, are
   * read but not kept: a directory of junk costs a bounded number of pages too). Returns whether the
   * whole hash was walked.
   */
  async #scan(
    key: string,
    most: number,
    kept: ReadonlyMap<string, unknown>,
    read: (field: string, text: string) => void,
  ): Promise<boolean> {
    const { reader } = this.#options;
    let cursor = '0';
    let fields = 0;
    do {
      const [next, flat] = await reader.hscan(key, cursor, 'COUNT', snapshotPage);
      cursor = next;
      for (let index = 0; index + 1 < flat.length; index += 2) {
        if (kept.size >= most || fields >= 2 * most) return false;
        fields++;
        read(flat[index]!, flat[index + 1]!);
      }
    } while (cursor !== '0' && !this.#closed);
    return true;
  }

  async #follow(): Promise<void> {
    const { reader, keys } = this.#options;
    const blockMs = this.#options.blockMs ?? 500;
    const resyncMs = this.#options.resyncMs ?? 30_000;
    while (!this.#closed && performance.now() - this.#lastSnapshot < resyncMs) {
      const reply = (await reader.xread(
        'COUNT',
        512,
        'BLOCK',
        blockMs,
        'STREAMS',
        keys.events,
        this.#lastId,
      )) as StreamReply;
      this.#lastAnswer = performance.now();
      for (const [, items] of reply ?? []) {
        for (const [id, fields] of items) {
          this.#lastId = id;
          this.#apply(fields);
        }
      }
    }
  }

  #apply(fields: unknown): void {
    if (!Array.isArray(fields) || fields.length > 16) {
      this.#ignore();
      return;
    }
    const item: Record<string, string> = {};
    for (let index = 0; index + 1 < fields.length; index += 2) {
      const [key, value] = [fields[index], fields[index + 1]];
      if (typeof key === 'string' && typeof value === 'string') item[key] = value;
    }
    const { k: kind, id, v: value, why } = item;
    const reason = typeof why === 'string' ? why.slice(0, 200) : 'no reason given';
    if (typeof id !== 'string') {
      this.#ignore();
      return;
    }
    if (kind === 'put') {
      const entry = parseGameEntry(id, value);
      if (entry === undefined) this.#ignore();
      else if (entry.owner !== this.#options.node) {
        if (!this.#games.has(id) && this.#games.size >= this.#maxGames) {
          this.#ignore();
          return;
        }
        this.#put(entry);
        this.#sorted = undefined;
        this.#emit({ kind: 'listed', entry });
      }
    } else if (kind === 'del') {
      const entry = this.#games.get(id);
      if (entry !== undefined) {
        this.#games.delete(id);
        if (entry.request !== undefined && this.#byRequest.get(entry.request) === id)
          this.#byRequest.delete(entry.request);
        this.#sorted = undefined;
        this.#emit({ kind: 'unlisted', id, owner: entry.owner, why: reason });
      }
    } else if (kind === 'node-up') {
      const record = parseNodeRecord(id, value);
      if (record === undefined || (!this.#nodes.has(id) && this.#nodes.size >= this.#maxNodes))
        this.#ignore();
      else {
        this.#nodes.set(id, record);
        this.#emit({ kind: 'node-up', node: record });
      }
    } else if (kind === 'node-down') {
      if (this.#nodes.delete(id)) this.#emit({ kind: 'node-down', node: id, why: reason });
    } else this.#ignore();
  }

  /** Counts (and says, for the first few) something read from the directory that did not parse. */
  ignore(): void {
    this.#ignore();
  }

  #ignore(): void {
    this.#ignored++;
    // Said for the first few and then every thousandth: a flood of garbage cannot flood the log.
    if (this.#ignored <= 10 || this.#ignored % 1_000 === 0)
      this.#options.log(
        `node ${this.#options.node}: ignored an entry of the directory that does not parse (${this.#ignored} so far)`,
      );
  }

  #emit(event: MirrorEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch (error) {
      this.#options.log(`node ${this.#options.node}: a mirror listener threw: ${String(error)}`);
    }
  }
}
