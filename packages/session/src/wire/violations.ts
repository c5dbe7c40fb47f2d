import { DecodeError, decodeLimitCodes } from '@msc/serialization';

/**
 * How a peer's bad input is named. Every part of the session throws one of these two for what the
 * peer did wrong; the session ends with `protocol` or `limit` accordingly ({@link classifyFailure}).
 */

/** The peer broke the protocol (a malformed message, an unknown id, a message out of order). */
export class ProtocolViolation extends Error {
  override name = 'ProtocolViolation';
}

/** The peer exceeded a limit of this side. */
export class LimitViolation extends Error {
  override name = 'LimitViolation';
  /** The limit's name in `SessionLimits` (`maxAnswers`...), for the termination reason and logs. */
  readonly limit: string;

  constructor(message: string, limit: string) {
    super(message);
    this.limit = limit;
  }
}

/**
 * The end code and message for an error met while receiving: `limit` for a {@link LimitViolation}
 * or a decoder limit, `protocol` for anything else. A violation found inside a decoding hook (a
 * forged id, a flood of capabilities) is the reason, not the decoder's wrapper around it.
 */
export function classifyFailure(error: unknown): {
  readonly code: 'limit' | 'protocol';
  readonly message: string;
  /** For `limit`: the limit's name (a `SessionLimits` name, or the decoder's limit code such as `too-deep`). */
  readonly limit?: string;
} {
  const reason =
    error instanceof DecodeError &&
    (error.cause instanceof ProtocolViolation || error.cause instanceof LimitViolation)
      ? error.cause
      : error;
  // decodeLimitCodes: the decoder's limit and budget codes (work, records, sizes); the rest mean malformed input.
  const limit =
    reason instanceof LimitViolation
      ? reason.limit
      : reason instanceof DecodeError && decodeLimitCodes.has(reason.code)
        ? reason.code
        : undefined;
  const message = describeError(reason);
  return limit === undefined ? { code: 'protocol', message } : { code: 'limit', message, limit };
}

/**
 * Refuses what the peer may send only from protocol `version` on (a message, a descriptor kind, a
 * field) in a session that agreed an earlier one.
 *
 * @param what the thing refused, as the error names it (`a resolve message`)
 * @throws ProtocolViolation when `session` speaks a version before `version`
 */
export function requireVersion(
  session: { readonly protocolVersion: number },
  version: number,
  what: string,
): void {
  if (session.protocolVersion < version) {
    throw new ProtocolViolation(
      `${what} needs protocol version ${version}; this session speaks ${session.protocolVersion}`,
    );
  }
}

/** A table id: an integer in 0 .. 2^32 - 1. */
export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

/** A count: a non-negative integer. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** An error's message, or the value as text. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
