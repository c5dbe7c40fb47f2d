import { CallScope } from '@msc/eventual/handler';
import type { CallContextField } from './protocol.ts';
import { isCount, ProtocolViolation } from './violations.ts';

/**
 * A `Call`'s context field (protocol.ts, `CallContextField`), both ways: what a caller sends for a
 * call's context, and the callee's context made from what arrived. Only the time that remains
 * crosses (clocks differ between processes), and what a peer declares is bounded: its remaining
 * time by the callee's `maxCallTimeoutMs`, its trace context by the W3C format and sizes.
 */

/** The field for a call with `context` (`[]` when it carries only cancellation). */
export function encodeCallContext(context: CallScope): CallContextField {
  const deadline = context.deadline;
  // No deadline, or an infinite one (a handler's own `CallScope`), sends none: the peer needs a count.
  const remaining =
    deadline === undefined || !Number.isFinite(deadline)
      ? null
      : Math.max(0, Math.ceil(deadline - performance.now()));
  const trace = context.trace;
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
  const remaining = field[0];
  let deadline: number | undefined;
  if (remaining !== undefined && remaining !== null) {
    if (!isCount(remaining))
      throw new ProtocolViolation('malformed call context: remainingMs must be a count');
    deadline = performance.now() + Math.min(remaining, maxCallTimeoutMs);
  }
  const traceparent = field[1];
  if (!isTraceparent(traceparent)) return new CallScope(true, deadline);
  const tracestate = field[2];
  return new CallScope(
    true,
    deadline,
    isTracestate(tracestate) ? { traceparent, tracestate } : { traceparent },
  );
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
