/**
 * Limits are part of the protocol (docs/protocol.md#bad-input, docs/limits.md): a peer that exceeds
 * one terminates its session with a `limit` error; the process and other sessions carry on.
 */
export interface SessionLimits {
  /** Largest frame this side accepts, in bytes. Default 16 MiB (the transport may be lower). */
  readonly maxFrameBytes: number;
  /**
   * Most calls the peer may have outstanding at this side (answers not finished, and from protocol
   * version 5 the stand-ins for finished answers it named and has not copied yet). Default 10,000.
   */
  readonly maxAnswers: number;
  /**
   * Most capabilities this side may hold from the peer (imports, promises included, and promises
   * released before their `Resolve` arrived). Default 100,000.
   */
  readonly maxImports: number;
  /** Most capabilities the peer may hold from this side (exports). Default 100,000. */
  readonly maxExports: number;
  /** Deepest nesting of a payload value. Default 64. */
  readonly maxDepth: number;
  /** Milliseconds for version, authentication and configuration together. Default 10,000. */
  readonly handshakeTimeoutMs: number;
  /**
   * Most bytes this side lets pile up unsent in the transport (a peer that does not read): past it
   * the session ends with `limit`, so the sender's memory stays bounded. Default 64 MiB.
   */
  readonly maxBufferedBytes: number;
  /**
   * Largest frame this side accepts before it has sent its own configuration (while the peer is
   * not yet authenticated, or this side is still choosing its root), in bytes. A peer needs only
   * small frames then (authentication messages, its configuration). The session sets it as its
   * connection's frame cap (`setMaxFrameBytes`), so the transport refuses a larger frame before it
   * holds anything for it, and restores the connection's cap with its `Configure`. Default 64 KiB.
   */
  readonly maxHandshakeFrameBytes: number;
  /**
   * Most bytes (encoded) of the peer's messages this side holds while it finishes its own
   * configuration; at most `maxAnswers` messages either way. Default 64 KiB.
   */
  readonly maxHeldBytes: number;
  /**
   * Largest window a peer's stream consumer may declare for a sequence this side produces, in
   * items: a larger declared `capacity` is clamped to it, so the local producer's `flush()` still
   * waits. Default 65,536.
   */
  readonly maxStreamCapacity: number;
  /** The same for byte streams, in bytes. Default 16 MiB. */
  readonly maxByteStreamCapacity: number;
  /**
   * Most wire streams the peer may have open into this side (streams that arrived in its messages
   * and have not ended), and, counted apart, most this side may have open to the peer. A stream
   * past it from the peer ends the session with `limit`; one this side sends past it fails the call
   * or return that carries it (`RangeError`). Each open stream costs its bookkeeping (about a
   * kilobyte) and a first grant, and a sink holds up to its consumer's window. Default 10,000, as
   * `maxAnswers`: a stream usually travels with a call, and honest sessions keep far fewer open.
   */
  readonly maxStreams: number;
  /**
   * The longest time a peer's call may declare it has left (docs/semantics.md#deadlines), in
   * milliseconds: a longer one is cut to it, so the callee's signal fires then at the latest.
   * A call that declares no deadline has none. Default 1 hour.
   */
  readonly maxCallTimeoutMs: number;
}

/** The limits used where none are given. */
export const defaultSessionLimits: SessionLimits = {
  maxFrameBytes: 16 * 1024 * 1024,
  maxAnswers: 10_000,
  maxImports: 100_000,
  maxExports: 100_000,
  maxDepth: 64,
  handshakeTimeoutMs: 10_000,
  maxBufferedBytes: 64 * 1024 * 1024,
  maxHandshakeFrameBytes: 64 * 1024,
  maxHeldBytes: 64 * 1024,
  maxStreamCapacity: 65_536,
  maxByteStreamCapacity: 16 * 1024 * 1024,
  maxStreams: 10_000,
  maxCallTimeoutMs: 3_600_000,
};

/**
 * The limits a session's options change: each one given replaces its default in
 * {@link defaultSessionLimits}; one left out or `undefined` keeps the default.
 */
export type SessionLimitOverrides = {
  readonly [Name in keyof SessionLimits]?: SessionLimits[Name] | undefined;
};

/**
 * The limits of a session: the defaults with `limits` applied.
 *
 * @throws RangeError when a limit is not a positive integer
 */
export function resolveLimits(limits: SessionLimitOverrides | undefined): SessionLimits {
  const resolved: Record<string, number> = { ...defaultSessionLimits };
  // Only the overrides need checking; an undefined one is no override.
  for (const [name, value] of Object.entries(limits ?? {})) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`limit ${name} must be a positive integer`);
    resolved[name] = value;
  }
  return resolved as unknown as SessionLimits;
}
