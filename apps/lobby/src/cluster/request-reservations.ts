import type { Redis } from 'ioredis';
import { gameIdPattern, nodeNamePattern, parseGameId } from '../game-id.ts';
import type { ReserveOutcome } from '../lobby-directory.ts';
import { LobbyError } from '../lobby-error.ts';
import type { DirectoryKeys } from './directory-keys.ts';
import { releaseRequestScript, replaceRequestScript, reserveRequestScript } from './directory-scripts.ts';

/*
 * Idempotent creation across nodes (docs: the lobby README, "Creation is idempotent"). A node that
 * is asked to create a game with a request id reserves the request in Redis first, atomically and
 * first writer wins, naming the game it is about to create; only then does it create it. A retry
 * that reaches another node finds the reservation there, even before that node's mirror lists the
 * game, and answers with that game instead of making a second one. A reservation lives
 * `requestTtlMs` (the keys are bounded) or until its game is unlisted; past that, a retry
 * elsewhere is answered by the game's listing, which carries the request's hash.
 *
 * Failure is never "create anyway": a reservation that could not be written (Redis failed or timed
 * out mid-call) or reads back as garbage refuses the creation, and nothing is made. Only while the
 * node knows Redis is unreachable (its connection is down) does it create without one: then a
 * request id is idempotent on this node only (and against the games its mirror last listed).
 */

/** What a reservation holds: the game the request created (or is creating) and its node. */
export interface Reservation {
  readonly game: string;
  readonly node: string;
}

/** The longest reservation read (bytes of JSON): anything longer is garbage. */
export const maxReservationLength = 128;

/** The default lifetime of a reservation, ms. */
export const defaultRequestTtlMs = 60_000;

/** A reservation as stored. */
export function reservationText(game: string, node: string): string {
  return JSON.stringify({ game, node });
}

/** The reservation `text` holds, or `undefined` when it does not parse as one (hostile: never thrown). */
export function parseReservation(text: unknown): Reservation | undefined {
  if (typeof text !== 'string' || text.length > maxReservationLength) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { game, node } = value as Record<string, unknown>;
  if (typeof game !== 'string' || !gameIdPattern.test(game)) return undefined;
  if (typeof node !== 'string' || !nodeNamePattern.test(node) || parseGameId(game)?.node !== node)
    return undefined;
  return { game, node };
}

/** Options of {@link RequestReservations}. */
export interface RequestReservationsOptions {
  /** The directory's commands connection (fails at once while disconnected). */
  readonly redis: Redis;
  readonly keys: DirectoryKeys;
  readonly node: string;
  /** How long a reservation lives, ms. */
  readonly ttlMs: number;
  /** How long to wait for another node's reserved game to be mirrored, ms. */
  readonly waitMs: number;
  /** Whether game `id` of this node is open now. */
  readonly isOpenHere: (id: string) => boolean;
  /** Whether the mirror lists game `id` of another node, once it does or after `timeoutMs` (see `DirectoryMirror.whenListed`). */
  readonly whenListed: (id: string, timeoutMs: number) => Promise<boolean>;
  /** A reservation read back did not parse (counted with the mirror's ignored entries). */
  readonly ignored: () => void;
  readonly log: (line: string) => void;
}

/** The reservations of one node's creation requests (see the comment at the top of this file). */
export class RequestReservations {
  readonly #options: RequestReservationsOptions;
  /** The reservations this node holds, by the id of their game. */
  readonly #held = new Map<string, { readonly key: string; readonly text: string }>();

  constructor(options: RequestReservationsOptions) {
    this.#options = options;
  }

  /** Reservations this node holds for games not yet unlisted. */
  get held(): number {
    return this.#held.size;
  }

  /**
   * Reserves request `requestKey` (a `requestKey` hash) for this node's game `game`, about to be
   * created. `undefined` when the node knows Redis is unreachable now: create without one (local
   * idempotency only).
   *
   * @throws LobbyError (as a rejection) `directory-unavailable` when the reservation could not be
   *   written or read back as garbage, `no-such-game` when it names another node's game that no
   *   node lists within `waitMs`: nothing may be created then
   */
  reserve(requestKey: string, game: string): Promise<ReserveOutcome> | undefined {
    if (this.#options.redis.status !== 'ready') return undefined;
    return this.#reserve(this.#options.keys.request(requestKey), game);
  }

  /** Gives up the reservation of `game` (unlisted, or never created), if this node holds one. */
  release(game: string): void {
    const held = this.#held.get(game);
    if (held === undefined) return;
    this.#held.delete(game);
    // Best effort: while Redis is down the reservation expires by itself.
    this.#options.redis.eval(releaseRequestScript, 1, held.key, held.text).catch(() => {});
  }

  async #reserve(key: string, game: string): Promise<ReserveOutcome> {
    const { redis, node, ttlMs } = this.#options;
    const text = reservationText(game, node);
    const existing = await this.#eval('reserve', () =>
      redis.eval(reserveRequestScript, 1, key, text, String(ttlMs), String(maxReservationLength)),
    );
    if (existing === null) {
      this.#held.set(game, { key, text });
      return { kind: 'reserved' };
    }
    const reservation = parseReservation(existing);
    if (reservation === undefined) {
      this.#options.ignored();
      throw new LobbyError(
        'directory-unavailable',
        "expected the directory's reservation of this request to name a game, but it does not parse: nothing was created; create with a new request id",
      );
    }
    if (reservation.node === node) {
      if (this.#options.isOpenHere(reservation.game)) return { kind: 'existing', game: reservation.game };
      // This node's own reservation, whose game is gone (closed or launched before its release
      // landed, or made by an earlier run of a node of this name): take it back, if it is unchanged.
      const replaced = await this.#eval('take back', () =>
        redis.eval(replaceRequestScript, 1, key, existing as string, text, String(ttlMs)),
      );
      if (replaced !== 1)
        throw new LobbyError(
          'directory-unavailable',
          "expected this request's reservation to stay as read, but it changed meanwhile: nothing was created; retry with the same request id",
        );
      this.#held.set(game, { key, text });
      return { kind: 'reserved' };
    }
    // Another node reserved it: its game is listed within a publication batch, unless that node
    // died (or froze) in between. Wait for the mirror rather than answer with an unknown game.
    if (await this.#options.whenListed(reservation.game, this.#options.waitMs))
      return { kind: 'existing', game: reservation.game };
    throw new LobbyError(
      'no-such-game',
      `expected the game this request created (${reservation.game} on node ${reservation.node}) to be listed, but no node lists it within ${this.#options.waitMs} ms (its node may be gone): nothing was created here; create with a new request id`,
    );
  }

  async #eval(what: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return await call();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#options.log(`node ${this.#options.node}: could not ${what} a creation request: ${reason}`);
      throw new LobbyError(
        'directory-unavailable',
        `expected the cluster's directory to ${what} this creation request, but it failed (${reason.slice(0, 120)}): nothing was created; retry with the same request id`,
      );
    }
  }
}
