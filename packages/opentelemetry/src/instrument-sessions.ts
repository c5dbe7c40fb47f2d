import { installCallTracer } from '@msc/session';
import {
  type OpenTelemetryCallTracerOptions,
  openTelemetryCallTracer,
} from './open-telemetry-call-tracer.ts';

/**
 * Traces every session this thread starts from now on that has no `callTracer` option of its own
 * (`installCallTracer()` of `@msc/session` with {@link openTelemetryCallTracer}). For sessions made
 * where options cannot be passed: a SIP module (call it before `runSip()`), a library. Returns a
 * function that uninstalls it (sessions already started stay traced).
 *
 * @example
 * ```ts
 * import { instrumentSessions } from '@msc/opentelemetry';
 *
 * const uninstall = instrumentSessions(); // spans go to the global tracer provider
 * uninstall();
 * ```
 */
export function instrumentSessions(options: OpenTelemetryCallTracerOptions = {}): () => void {
  const tracer = openTelemetryCallTracer(options);
  installCallTracer(tracer);
  return () => installCallTracer(undefined);
}
