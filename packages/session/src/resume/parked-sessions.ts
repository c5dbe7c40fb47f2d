import { positiveInteger } from './positive-integer.ts';
import type { ResumeRefusal } from './resume-refusal.ts';

/**
 * Where a listener keeps its resumable sessions, by resume id (docs/resumption.md#listener): one
 * per scope, shared by its listeners. A session registers once its peer authenticated (its resume
 * secret is in derivation from both hellos then, docs/resumption.md#secret) and
 * leaves when it ends; a parked one (its connection dropped) also counts against the bounds, so a
 * hostile peer cannot make the listener hold unbounded sessions or bytes by dropping connections.
 *
 * The bounds are shared, but not first come first served: a session that would pass one takes the
 * place of the oldest parked session of the peer that holds the most (docs/resumption.md#listener),
 * so one peer (one key) that drops many sessions only ever crowds out itself.
 */

/** What the registry knows of a session. */
export interface ParkableSession {
  /** Bytes the session holds for replay now. */
  readonly heldBytes: number;
  /** The peer its authenticator accepted (whose share it counts against, see {@link peerShare}). */
  readonly peer: unknown;
}

/**
 * What {@link ParkedSessions.park} did: parked the session, after taking the places of `evicted`
 * (already out of the registry's count; the caller ends them, `lost` with `limit`), or refused it.
 */
export type Parking<Session> =
  | { readonly parked: true; readonly evicted: readonly Session[] }
  | { readonly parked: false };

/** Default {@link ParkedSessionsOptions.maxParkedSessions}. */
export const defaultMaxParkedSessions = 1024;
/** Default {@link ParkedSessionsOptions.maxParkedBytes}: 64 MiB. */
export const defaultMaxParkedBytes = 64 * 1024 * 1024;
/** How many ended resume ids are remembered, to refuse them as `terminated` rather than `unknown-session`. */
const endedIdsRemembered = 4096;

/** Bounds of a {@link ParkedSessions}. */
export interface ParkedSessionsOptions {
  /**
   * Most sessions parked at once. One more takes the place of the oldest parked session of the peer
   * that holds the most (that one is lost, `limit`). Default 1024.
   */
  readonly maxParkedSessions?: number | undefined;
  /**
   * Most bytes all parked sessions hold for replay together. A session that parks past it makes room
   * as for `maxParkedSessions`; a parked session that grows past it is lost itself. Default 64 MiB.
   */
  readonly maxParkedBytes?: number | undefined;
}

/** A listener's resumable sessions. */
export class ParkedSessions<Session extends ParkableSession = ParkableSession> {
  readonly maxParkedSessions: number;
  readonly maxParkedBytes: number;
  readonly #sessions = new Map<string, Session>();
  /** Parked sessions, oldest first (a Map iterates in insertion order), and each one's share. */
  readonly #parked = new Map<Session, string>();
  /** How many sessions each share has parked. */
  readonly #parkedPerShare = new Map<string, number>();
  #parkedBytes = 0;
  readonly #ended = new Set<string>();

  /** @throws RangeError when a bound is not a positive integer */
  constructor(options: ParkedSessionsOptions = {}) {
    this.maxParkedSessions = positiveInteger(
      'maxParkedSessions',
      options.maxParkedSessions ?? defaultMaxParkedSessions,
    );
    this.maxParkedBytes = positiveInteger('maxParkedBytes', options.maxParkedBytes ?? defaultMaxParkedBytes);
  }

  /** Sessions parked now. */
  get parked(): number {
    return this.#parked.size;
  }

  /** Bytes the parked sessions hold now. */
  get parkedBytes(): number {
    return this.#parkedBytes;
  }

  /** Sessions registered (resumable), parked or not. */
  get size(): number {
    return this.#sessions.size;
  }

  /** A session became resumable under `id` (its peer authenticated). */
  register(id: Uint8Array, session: Session): void {
    this.#sessions.set(key(id), session);
  }

  /** The session a resume attempt names, or why there is none. */
  lookup(id: Uint8Array): Session | ResumeRefusal {
    const name = key(id);
    return this.#sessions.get(name) ?? (this.#ended.has(name) ? 'terminated' : 'unknown-session');
  }

  /**
   * `session` lost its connection: parks it, first evicting as many parked sessions as it takes to
   * stay within `maxParkedSessions` and `maxParkedBytes` (which ones: `#victim`). Refused only when
   * the session alone holds more than `maxParkedBytes`.
   */
  park(session: Session): Parking<Session> {
    if (this.#parked.has(session)) return { parked: true, evicted: [] };
    if (session.heldBytes > this.maxParkedBytes) return { parked: false };
    const share = peerShare(session.peer);
    const evicted: Session[] = [];
    while (
      this.#parked.size >= this.maxParkedSessions ||
      this.#parkedBytes + session.heldBytes > this.maxParkedBytes
    ) {
      // Not empty: the session alone is within both bounds.
      const victim = this.#victim(share)!;
      this.unpark(victim);
      evicted.push(victim);
    }
    this.#parked.set(session, share);
    this.#parkedPerShare.set(share, (this.#parkedPerShare.get(share) ?? 0) + 1);
    this.#parkedBytes += session.heldBytes;
    return { parked: true, evicted };
  }

  /**
   * Which parked session makes room for a session of `share`: the oldest of the share that holds the
   * most, counting the newcomer in its own share. So a peer already holding the most gives up its own
   * oldest rather than being refused: its share stays the same either way, and its newest drop is
   * the likelier to come back (the oldest has spent the most of its `graceMs`). Ties go to the
   * share whose oldest session is the oldest.
   */
  #victim(share: string): Session | undefined {
    const counted = (each: string): number =>
      (this.#parkedPerShare.get(each) ?? 0) + (each === share ? 1 : 0);
    let most = 0;
    for (const each of this.#parkedPerShare.keys()) most = Math.max(most, counted(each));
    for (const [session, each] of this.#parked) if (counted(each) === most) return session;
    return undefined;
  }

  /** A parked session holds `bytes` more: whether it may (false past `maxParkedBytes`). */
  hold(session: Session, bytes: number): boolean {
    if (!this.#parked.has(session)) return true;
    if (this.#parkedBytes + bytes > this.maxParkedBytes) return false;
    this.#parkedBytes += bytes;
    return true;
  }

  /** `session` runs again over a new connection. */
  unpark(session: Session): void {
    const share = this.#parked.get(session);
    if (share === undefined) return;
    this.#parked.delete(session);
    this.#parkedBytes -= session.heldBytes;
    const left = this.#parkedPerShare.get(share)! - 1;
    if (left === 0) this.#parkedPerShare.delete(share);
    else this.#parkedPerShare.set(share, left);
  }

  /** `session` (registered under `id`, if it was) ended: later attempts are refused as `terminated`. */
  remove(session: Session, id: Uint8Array | undefined): void {
    this.unpark(session);
    if (id === undefined) return;
    const name = key(id);
    if (this.#sessions.get(name) !== session) return;
    this.#sessions.delete(name);
    if (this.#ended.size >= endedIdsRemembered) {
      // The oldest remembered id goes (a Set iterates in insertion order).
      this.#ended.delete(this.#ended.values().next().value!);
    }
    this.#ended.add(name);
  }
}

/**
 * Whose share of the bounds a parked session counts against: its authenticated peer, as the resume
 * exchange tells peers apart (resume-exchange.ts compares them with `samePeer`). An identity (any
 * peer with a string `fingerprint`, as `@msc/identity`'s `PublicIdentity`) counts by fingerprint
 * alone, so one key is one share whatever display names it claims; a string or number peer by its
 * value. Every other peer, `unauthenticated()`'s `undefined` included, counts under one shared
 * anonymous share. Not per remote address: a transport's address text names the connection (its
 * port changes with each one) in a format of its own, and players behind one NAT share a host.
 */
export function peerShare(peer: unknown): string {
  if (typeof peer === 'string') return `name:${peer}`;
  if (typeof peer === 'number' || typeof peer === 'bigint') return `number:${peer}`;
  if (typeof peer === 'object' && peer !== null) {
    const fingerprint = (peer as { readonly fingerprint?: unknown }).fingerprint;
    if (typeof fingerprint === 'string') return `fingerprint:${fingerprint}`;
  }
  return anonymousShare;
}

/** The share of every peer {@link peerShare} cannot tell apart. */
const anonymousShare = 'anonymous';

function key(id: Uint8Array): string {
  let text = '';
  for (const byte of id) text += byte.toString(16).padStart(2, '0');
  return text;
}
