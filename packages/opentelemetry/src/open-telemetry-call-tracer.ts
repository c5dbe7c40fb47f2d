import type { CallOutcome, CallSpan, CallTracer, TracedCall, TracedSession } from '@msc/session';
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { contextOf, traceContextOf } from './w3c-trace-context.ts';

/** Options of {@link openTelemetryCallTracer}. */
export interface OpenTelemetryCallTracerOptions {
  /** Where spans go. Default: the global provider (`trace.getTracerProvider()`) at each call. */
  readonly tracerProvider?: TracerProvider | undefined;
  /** The instrumentation scope's name. Default `@msc/opentelemetry`. */
  readonly name?: string | undefined;
}

/**
 * A `CallTracer` (`@msc/session`) that makes an OpenTelemetry span per call: a `CLIENT` span per
 * call a session sends, a `SERVER` span per call it dispatches.
 *
 * - Names and attributes: `msc <method>` (the session knows method names, not interface names);
 *   `rpc.system` `msc`, `rpc.method`, the session's remote address (`network.peer.address`) and,
 *   when the peer authenticated with a fingerprint (`@msc/identity`), `msc.peer.fingerprint`. A
 *   method name over 256 characters (which dispatch refuses) is cut to 256 followed by `…`.
 * - Parents: a client span's parent is the active span (OpenTelemetry's context) when there is one,
 *   else the trace context the call carries (the call being served, or `withOptions({ trace })`),
 *   else none (a new trace). A server span's parent is the trace context that arrived with the call
 *   (checked by the session), else none; the method runs with the server span active, and the calls
 *   it makes carry its trace context (also after an `await`, through `callContext()`).
 * - Ends: once, when the call settles for its caller (client) or its return is sent (server); a
 *   rejection, a cancel, a timeout or the session's end sets status `ERROR` with the error's message
 *   and records it as an exception. No span is left open when a session ends.
 *
 * @example
 * ```ts
 * import { openTelemetryCallTracer } from '@msc/opentelemetry';
 * import { Scope, unauthenticated } from '@msc/session';
 * import { memory } from '@msc/transport-memory';
 *
 * const scope = new Scope({ transport: memory(), authenticator: unauthenticated(), callTracer: openTelemetryCallTracer() });
 * ```
 */
export function openTelemetryCallTracer(options: OpenTelemetryCallTracerOptions = {}): CallTracer {
  const name = options.name ?? '@msc/opentelemetry';
  const provider = options.tracerProvider;
  const tracer = () => (provider ?? trace.getTracerProvider()).getTracer(name);
  return {
    send(call: TracedCall): CallSpan {
      const active = context.active();
      const parent = trace.getSpan(active) === undefined ? contextOf(call.trace) : active;
      const method = methodNameOf(call);
      const span = tracer().startSpan(
        `msc ${method}`,
        { kind: SpanKind.CLIENT, attributes: attributesOf(call, method) },
        parent,
      );
      return new OpenTelemetrySpan(span, false);
    },
    dispatch(call: TracedCall): CallSpan {
      const parent = contextOf(call.trace);
      const method = methodNameOf(call);
      const span = tracer().startSpan(
        `msc ${method}`,
        { kind: SpanKind.SERVER, attributes: attributesOf(call, method) },
        parent,
      );
      return new OpenTelemetrySpan(span, true, trace.setSpan(parent, span));
    },
  };
}

/** One call's span, as the session's `CallSpan`. */
class OpenTelemetrySpan implements CallSpan {
  readonly trace;
  readonly #span: Span;
  readonly #active: ReturnType<typeof context.active> | undefined;

  constructor(span: Span, server: boolean, active?: ReturnType<typeof context.active>) {
    this.#span = span;
    this.trace = traceContextOf(span.spanContext());
    this.#active = server ? active : undefined;
  }

  within<T>(dispatch: () => T): T {
    const active = this.#active;
    return active === undefined ? dispatch() : context.with(active, dispatch);
  }

  end(outcome: CallOutcome): void {
    const span = this.#span;
    if (outcome.failed) {
      const error = outcome.error;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      if (error instanceof Error) {
        span.setAttribute('error.type', error.name);
        span.recordException(error);
      }
    }
    span.end();
  }
}

/**
 * The longest method name a span carries. The peer chooses the name of a call it sends (the session
 * allows a string of up to 4 MiB), and a server span starts before dispatch refuses names over this
 * length: `maximumMethodNameLength` in `@msc/eventual`'s `src/handlers/method-lookup.ts`, which
 * `@msc/eventual` does not export; keep the two equal.
 */
const maxMethodNameLength = 256;

/** The call's method name, cut to {@link maxMethodNameLength} characters and `…` when longer. */
function methodNameOf(call: TracedCall): string {
  const method = call.method;
  if (method.length <= maxMethodNameLength) return method;
  // split/join copies: a slice alone would share, and so keep alive, the whole megabytes-long name.
  return `${method.slice(0, maxMethodNameLength).split('').join('')}…`;
}

function attributesOf(call: TracedCall, method: string): Attributes {
  const attributes: Attributes = {
    'rpc.system': 'msc',
    'rpc.method': method,
    'network.peer.address': call.session.addresses.remote,
  };
  const fingerprint = fingerprintOf(call.session);
  if (fingerprint !== undefined) attributes['msc.peer.fingerprint'] = fingerprint;
  return attributes;
}

/** The peer's fingerprint, when its authenticator learned one (`@msc/identity`'s `PublicIdentity`). */
function fingerprintOf(session: TracedSession): string | undefined {
  const peer = session.peer;
  if (typeof peer !== 'object' || peer === null) return undefined;
  const fingerprint = (peer as { fingerprint?: unknown }).fingerprint;
  return typeof fingerprint === 'string' ? fingerprint : undefined;
}
