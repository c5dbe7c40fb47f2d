import { type CallTracer, installCallTracer } from '@msc/session';
import {
  type OpenTelemetryCallTracerOptions,
  openTelemetryCallTracer,
} from './open-telemetry-call-tracer.ts';

/** The tracer the latest `instrumentSessions()` installed, until its uninstaller runs. */
let installed: CallTracer | undefined;

/**
 * Traces every session this thread starts from now on that has no `callTracer` option of its own
 * (`installCallTracer()` of `@msc/session` with {@link openTelemetryCallTracer}). For sessions made
 * where options cannot be passed: a SIP module (call it before `runSip()`), a library. Returns a
 * function that uninstalls it (sessions already started stay traced); once another
 * `instrumentSessions()` replaced it, that function does nothing (it never removes the later one).
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
  installed = tracer;
  return () => {
    if (installed !== tracer) return;
    installed = undefined;
    installCallTracer(undefined);
  };
}
