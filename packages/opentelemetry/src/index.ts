/**
 * `@msc/opentelemetry`: OpenTelemetry spans for MSC calls (docs/semantics.md#trace-context). A
 * `CLIENT` span per call a session sends and a `SERVER` span per call it dispatches, linked across
 * sessions and SIPs by the W3C trace context each call carries, so one trace follows a call from a
 * client through a server into a SIP. `@opentelemetry/api` is a peer dependency: spans go to the
 * tracer provider the program sets up (an SDK, an exporter); `@msc/session` knows nothing of
 * OpenTelemetry.
 *
 * @example
 * ```ts
 * import { openTelemetryCallTracer } from '@msc/opentelemetry';
 * import { Scope, unauthenticated } from '@msc/session';
 * import { memory } from '@msc/transport-memory';
 *
 * // Spans go to the global tracer provider (set up by your OpenTelemetry SDK).
 * const scope = new Scope({ transport: memory(), authenticator: unauthenticated(), callTracer: openTelemetryCallTracer() });
 * ```
 *
 * @packageDocumentation
 */

export { instrumentSessions } from './instrument-sessions.ts';
export {
  type OpenTelemetryCallTracerOptions,
  openTelemetryCallTracer,
} from './open-telemetry-call-tracer.ts';
export { type TraceContext, traceContextOf } from './w3c-trace-context.ts';
