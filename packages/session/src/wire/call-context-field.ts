import type { TraceContext } from '@msc/eventual/context';
import { CallScope } from '@msc/eventual/handler';
import type { CallContextField } from './protocol.ts';
import { isCount, ProtocolViolation } from './violations.ts';

/**
 * A `Call`'s context field (protocol.ts, `CallContextField`), both ways: what a caller sends for a
 * call's context, and the callee's context made from what arrived. Only the time that remains
 * crosses (clocks differ between processes), and what a peer declares is bounded: its remaining
 * time by the callee's `maxCallTimeoutMs`, its trace context by the W3C format and sizes.
 */

/**
 * The field for a call with `context` (`[]` when it carries only cancellation). `trace` replaces the
 * context's trace context (a tracer's client span: call-tracer.ts); `context` may be `undefined` for
 * a call that carries only that.
 */
export function encodeCallContext(
  context: CallScope | undefined,
  trace: TraceContext | undefined = context?.trace,
): CallContextField {
  const deadline = context?.deadline;
  // No deadline, or an infinite one (a handler's own `CallScope`), sends none: the peer needs a count.
  const remaining =
    deadline === undefined || !Number.isFinite(deadline)
      ? null
      : Math.max(0, Math.ceil(deadline - performance.now()));
  if (trace === undefined) return remaining === null ? [] : [remaining];
  return trace.tracestate === undefined
    ? [remaining, trace.traceparent]
    : [remaining, trace.traceparent, trace.tracestate];
}

/**
 * The callee's context of a call whose field is `field`: a deadline `remainingMs` from now (at most
 * `maxCallTimeoutMs`), the trace context when it is well formed (dropped otherwise: tracing is
 * advisory, a call never fails for it).
 *
 * @throws ProtocolViolation when `remainingMs` is neither `null` nor a count
 */
export function decodeCallContext(field: readonly unknown[], maxCallTimeoutMs: number): CallScope {
  return new CallScope(true, decodeDeadline(field, maxCallTimeoutMs), decodeTrace(field));
}

/**
 * The deadline `field` declares, in `performance.now()` milliseconds of this process (its
 * `remainingMs` from now, at most `maxCallTimeoutMs`), or `undefined`.
 *
 * @throws ProtocolViolation when `remainingMs` is neither `null` nor a count
 */
export function decodeDeadline(field: readonly unknown[], maxCallTimeoutMs: number): number | undefined {
  const remaining = field[0];
  if (remaining === undefined || remaining === null) return undefined;
  if (!isCount(remaining)) throw new ProtocolViolation('malformed call context: remainingMs must be a count');
  return performance.now() + Math.min(remaining, maxCallTimeoutMs);
}

/**
 * The trace context `field` carries when its `traceparent` is well formed (W3C version 00, ids not
 * all zero), with its `tracestate` when that is well formed and at most {@link maxTracestateLength}
 * characters; otherwise `undefined` (dropped: never an error).
 */
export function decodeTrace(field: readonly unknown[]): TraceContext | undefined {
  const traceparent = field[1];
  if (!isTraceparent(traceparent)) return undefined;
  const tracestate = field[2];
  return isTracestate(tracestate) ? { traceparent, tracestate } : { traceparent };
}

/** `version-traceId-parentId-flags`, version 00 (W3C trace context §3.2; all-zero ids are invalid). */
const traceparentForm = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Whether `value` is a well-formed version 00 `traceparent` (55 characters, ids not all zero). */
export function isTraceparent(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    traceparentForm.test(value) &&
    !value.startsWith('00000000000000000000000000000000', 3) &&
    !value.startsWith('0000000000000000', 36)
  );
}

/** The most characters of a `tracestate` kept (W3C trace context §3.3.1.1: 512 at least). */
export const maxTracestateLength = 512;

/**
 * Whether `value` can be passed on as a `tracestate`: at most {@link maxTracestateLength}
 * printable ASCII characters in at most 32 comma-separated `key=value` members. The members'
 * finer grammar is the tracer's to check: this bounds what a peer makes this side hold and send.
 */
export function isTracestate(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= maxTracestateLength &&
    tracestateForm.test(value) &&
    value.split(',').length <= 32
  );
}

const tracestateForm = /^[\x20-\x2b\x2d-\x7e]+=[\x20-\x2b\x2d-\x7e]*(?:,[\x20-\x2b\x2d-\x7e]*)*$/;
