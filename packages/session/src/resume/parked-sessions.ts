import { positiveInteger } from './positive-integer.ts';
import type { ResumeRefusal } from './resume-refusal.ts';

/**
 * Where a listener keeps its resumable sessions, by resume id (docs/resumption.md#listener): one
 * per scope, shared by its listeners. A session registers once its peer authenticated (its resume
 * secret is in derivation from both hellos then, docs/resumption.md#secret) and
 * leaves when it ends; a parked one (its connection dropped) also counts against the bounds, so a
 * hostile peer cannot make the listener hold unbounded sessions or bytes by dropping connections.
 */

/** What the registry knows of a session. */
export interface ParkableSession {
  /** Bytes the session holds for replay now. */
  readonly heldBytes: number;
}

/** Default {@link ParkedSessionsOptions.maxParkedSessions}. */
export const defaultMaxParkedSessions = 1024;
/** Default {@link ParkedSessionsOptions.maxParkedBytes}: 64 MiB. */
export const defaultMaxParkedBytes = 64 * 1024 * 1024;
/** How many ended resume ids are remembered, to refuse them as `terminated` rather than `unknown-session`. */
const endedIdsRemembered = 4096;

/** Bounds of a {@link ParkedSessions}. */
export interface ParkedSessionsOptions {
  /** Most sessions parked at once; one more is lost at once (`limit`). Default 1024. */
  readonly maxParkedSessions?: number | undefined;
  /** Most bytes all parked sessions hold for replay together; past it the session that adds is lost. Default 64 MiB. */
  readonly maxParkedBytes?: number | undefined;
}

/** A listener's resumable sessions. */
export class ParkedSessions<Session extends ParkableSession = ParkableSession> {
  readonly maxParkedSessions: number;
  readonly maxParkedBytes: number;
  readonly #sessions = new Map<string, Session>();
  readonly #parked = new Set<Session>();
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

  /** `session` lost its connection: whether it may stay parked (false at `maxParkedSessions` or `maxParkedBytes`). */
  park(session: Session): boolean {
    if (this.#parked.has(session)) return true;
    if (this.#parked.size >= this.maxParkedSessions) return false;
    if (this.#parkedBytes + session.heldBytes > this.maxParkedBytes) return false;
    this.#parked.add(session);
    this.#parkedBytes += session.heldBytes;
    return true;
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
    if (this.#parked.delete(session)) this.#parkedBytes -= session.heldBytes;
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

function key(id: Uint8Array): string {
  let text = '';
  for (const byte of id) text += byte.toString(16).padStart(2, '0');
  return text;
}
