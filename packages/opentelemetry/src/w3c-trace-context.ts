import type { TracedCall } from '@msc/session';
import {
  type Context,
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from '@opentelemetry/api';

/** W3C trace context as the session carries it (`callContext().trace`). */
export type TraceContext = NonNullable<TracedCall['trace']>;

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) to and from OpenTelemetry span contexts.
 * The session checks what arrives from a peer (version 00, lower-case hex, ids not all zero, a
 * bounded `tracestate`) before a tracer sees it, so parsing here only splits a well-formed value.
 */

/** The `traceparent` and `tracestate` of `spanContext`, or `undefined` when it is not valid (a no-op tracer's). */
export function traceContextOf(spanContext: SpanContext): TraceContext | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate === undefined || tracestate === '' ? { traceparent } : { traceparent, tracestate };
}

/** A context whose (remote) span context is `traceContext`'s, or the root context without one. */
export function contextOf(traceContext: TraceContext | undefined): Context {
  if (traceContext === undefined) return ROOT_CONTEXT;
  const { traceparent, tracestate } = traceContext;
  const spanContext: SpanContext = {
    traceId: traceparent.slice(3, 35),
    spanId: traceparent.slice(36, 52),
    traceFlags: Number.parseInt(traceparent.slice(53, 55), 16),
    isRemote: true,
    ...(tracestate === undefined ? {} : { traceState: createTraceState(tracestate) }),
  };
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}
