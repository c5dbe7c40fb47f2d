import type { Connection } from '@msc/transport';
import type { ParkedSessions } from './parked-sessions.ts';
import { positiveInteger } from './positive-integer.ts';

/**
 * Session resumption (docs/resumption.md): what a session that may survive a network blip is given,
 * what it reports, and its defaults.
 */

/** What a UI can show about a session's connection. */
export type ResumeEvent =
  /** The connection dropped; the session is parked for at most `graceMs`. */
  | { readonly type: 'disconnected'; readonly reason: string }
  /** The dialer makes resume attempt `attempt` (1 for the first). */
  | { readonly type: 'resuming'; readonly attempt: number }
  /** The session runs again over a new connection; nothing was lost. */
  | { readonly type: 'resumed'; readonly attempt: number }
  /** The session could not be resumed and ends as it would have without resumption. */
  | { readonly type: 'lost'; readonly reason: string };

/** A session's resumption now (`Session.resumption`). */
export interface ResumeStatus {
  /**
   * `connecting` before the hellos agreed; `unavailable` when the peer does not offer resumption
   * (a drop ends the session); `connected`; `parked` (the connection dropped, a resume may come);
   * `ended`.
   */
  readonly state: 'connecting' | 'unavailable' | 'connected' | 'parked' | 'ended';
  /** Whether a drop now would park the session (its peer authenticated, its held bytes within bound). */
  readonly resumable: boolean;
  /** Bytes held for replay (frames the peer has not acknowledged), as framed. */
  readonly heldBytes: number;
  /** How many times the session resumed. */
  readonly resumes: number;
}

/** How a session resumes (`SessionOptions.resume`, `ScopeOptions.resume`). */
export interface ResumeOptions<Peer = unknown> {
  /**
   * How long a parked session waits for its connection to come back, in milliseconds; past it the
   * session ends as it does today (`connection-lost`). Default 30,000.
   */
  readonly graceMs?: number | undefined;
  /**
   * Most bytes (as framed on the wire) a session holds for replay: the frames the peer has not
   * acknowledged. While connected the count may pass it for a moment (the session is then not
   * resumable until the peer's acknowledgements catch up); a drop while past it, or passing it while
   * parked, ends the session with `limit`. Default 4 MiB.
   */
  readonly maxHeldBytes?: number | undefined;
  /**
   * A standalone acknowledgement goes out this long after a frame arrived when no frame of this
   * side carried one meanwhile, in milliseconds. Default 100.
   */
  readonly ackDelayMs?: number | undefined;
  /** Dialer: most reconnection attempts within the window. Default 12. */
  readonly maxAttempts?: number | undefined;
  /** Dialer: the first backoff delay, in milliseconds (doubled per attempt, up to 2 s, with jitter). Default 50. */
  readonly initialBackoffMs?: number | undefined;
  /**
   * Dialer: makes a new connection to the same listener (the scope passes its transport's `dial`).
   * Without it a dialer's session is not resumable.
   */
  readonly dial?: ((signal: AbortSignal) => Promise<Connection>) | undefined;
  /**
   * Listener: where its resumable sessions are kept, by resume id (the scope makes one for all its
   * listeners). Without it a listener's sessions cannot be resumed (every attempt is refused as
   * `unknown-session`).
   */
  readonly parkedSessions?: ParkedSessions<any> | undefined;
  /**
   * Whether the peer authenticated on a new connection is the session's peer. Default: structural
   * equality (strings, numbers, bytes, arrays and plain objects compared by content).
   */
  readonly samePeer?: ((original: Peer, resuming: Peer) => boolean) | undefined;
  /** Told each {@link ResumeEvent}, in order. Exceptions it throws are ignored. */
  readonly onEvent?: ((event: ResumeEvent) => void) | undefined;
}

/** The defaults of {@link ResumeOptions}. */
export const defaultResumeOptions = {
  graceMs: 30_000,
  maxHeldBytes: 4 * 1024 * 1024,
  ackDelayMs: 100,
  maxAttempts: 12,
  initialBackoffMs: 50,
} as const;

/** {@link ResumeOptions} with every default applied. */
export interface ResolvedResumeOptions {
  readonly graceMs: number;
  readonly maxHeldBytes: number;
  readonly ackDelayMs: number;
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly dial: ((signal: AbortSignal) => Promise<Connection>) | undefined;
  readonly parkedSessions: ParkedSessions<any> | undefined;
  readonly samePeer: (original: unknown, resuming: unknown) => boolean;
  readonly onEvent: ((event: ResumeEvent) => void) | undefined;
}

/**
 * The options with their defaults.
 *
 * @throws RangeError when a number is not a positive integer
 */
export function resolveResumeOptions(options: ResumeOptions<any>): ResolvedResumeOptions {
  const number = (name: keyof typeof defaultResumeOptions): number =>
    positiveInteger(`resume.${name}`, options[name] ?? defaultResumeOptions[name]);
  return {
    graceMs: number('graceMs'),
    maxHeldBytes: number('maxHeldBytes'),
    ackDelayMs: number('ackDelayMs'),
    maxAttempts: number('maxAttempts'),
    initialBackoffMs: number('initialBackoffMs'),
    dial: options.dial,
    parkedSessions: options.parkedSessions,
    samePeer: options.samePeer ?? sameStructure,
    onEvent: options.onEvent,
  };
}

/** Structural equality of two authenticated peers (bounded: at most 4 levels, 256 keys per level). */
export function sameStructure(first: unknown, second: unknown, depth = 0): boolean {
  if (Object.is(first, second)) return true;
  if (depth > 4 || typeof first !== 'object' || typeof second !== 'object') return false;
  if (first === null || second === null) return false;
  if (first instanceof Uint8Array || second instanceof Uint8Array) {
    if (!(first instanceof Uint8Array && second instanceof Uint8Array)) return false;
    if (first.byteLength !== second.byteLength) return false;
    for (let index = 0; index < first.byteLength; index++) if (first[index] !== second[index]) return false;
    return true;
  }
  if (Array.isArray(first) !== Array.isArray(second)) return false;
  if (Object.getPrototypeOf(first) !== Object.getPrototypeOf(second)) return false;
  const keys = Object.keys(first);
  if (keys.length > 256 || keys.length !== Object.keys(second).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(second, key)) return false;
    if (!sameStructure((first as never)[key], (second as never)[key], depth + 1)) return false;
  }
  return true;
}
