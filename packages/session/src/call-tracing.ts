import { CallAbortError, CallTimeoutError, type TraceContext } from '@msc/eventual/context';
import {
  type CallScope,
  type CapabilityHandler,
  enableContextCalls,
  type ResultHandler,
  type Settlement,
} from '@msc/eventual/handler';
import {
  type CallSpan,
  type CallTracer,
  type CallTracing,
  installCallTracing,
  type QuestionOpener,
  setInstalledCallTracer,
  type TracedCall,
  type TracedSession,
} from './call-tracer.ts';
import { decodeTrace, encodeCallContext, isTraceparent, isTracestate } from './wire/call-context-field.ts';
import type { TargetKind } from './wire/protocol.ts';

/**
 * Enables call tracing (the `callTracer` option of sessions and scopes, call-tracer.ts) for every
 * session that starts from now on. `@msc/session`'s Node (default) entry calls it when it loads; its
 * `browser` entry leaves it out to keep pages small, so a page whose sessions are traced calls it
 * (or {@link installCallTracer}, which calls it) once before its first session. Calling it again
 * does nothing more.
 *
 * Without it, a session given a tracer throws a `TypeError` naming this function.
 *
 * @example
 * ```ts
 * import { enableCallTracing } from '@msc/session';
 *
 * enableCallTracing(); // before the page's first traced session
 * ```
 */
export function enableCallTracing(): void {
  // The server spans' contexts carry trace context on, so calls made within them must inherit it.
  enableContextCalls();
  installCallTracing((tracer, session) => new SessionCallTracing(tracer, session));
}

/**
 * Sets the tracer of every session that starts from now on without a `callTracer` option of its own
 * (`undefined` removes it), and enables call tracing ({@link enableCallTracing}). For a program
 * whose sessions are made where it cannot pass options (a SIP module, a library):
 * `@msc/opentelemetry`'s `instrumentSessions()` calls it.
 *
 * @example
 * ```ts
 * import { installCallTracer } from '@msc/session';
 *
 * installCallTracer({
 *   send: ({ method }) => ({ trace: undefined, end: (outcome) => console.log(method, outcome.failed ? 'failed' : 'ok') }),
 *   dispatch: () => undefined,
 * });
 * installCallTracer(undefined); // off again
 * ```
 */
export function installCallTracer(tracer: CallTracer | undefined): void {
  enableCallTracing();
  setInstalledCallTracer(tracer);
}

/**
 * The call tracing of one session (call-tracer.ts, `CallTracing`): a client span per call it sends,
 * ended by a {@link TracedQuestion}; a server span per call it serves, kept here by question id until
 * the call's return is sent, the caller cancels or finishes it, or the session ends.
 */
class SessionCallTracing implements CallTracing {
  readonly #tracer: CallTracer;
  readonly #session: TracedSession;
  /** The server spans of calls not settled yet (made with the first). */
  #spans: Map<number, CallSpan> | undefined = undefined;

  constructor(tracer: CallTracer, session: TracedSession) {
    this.#tracer = tracer;
    this.#session = session;
  }

  /**
   * The client span's parent is the call's trace context (when its context carries one); the span's
   * own trace context is sent in the call's context field, with the context's deadline.
   */
  ask(
    questions: QuestionOpener,
    targetKind: TargetKind,
    targetId: number,
    method: string,
    args: readonly unknown[],
    context: CallScope | undefined,
  ): ResultHandler {
    const carried = context?.carried === true ? context : undefined;
    const parent = carried?.trace;
    // A call cancelled already is not sent, and has no span.
    const span = carried?.aborted
      ? undefined
      : this.#start(false, { method, session: this.#session, trace: parent });
    const trace = span === undefined ? parent : (checkedTrace(span.trace) ?? parent);
    const result = questions.open(
      targetKind,
      targetId,
      method,
      args,
      encodeCallContext(carried, trace),
      carried,
    );
    if (span !== undefined) new TracedQuestion(span, result, carried);
    return result;
  }

  receive(
    questionId: number,
    method: string,
    field: readonly unknown[] | undefined,
  ): readonly unknown[] | undefined {
    const incoming = field === undefined ? undefined : decodeTrace(field);
    const span = this.#start(true, { method, session: this.#session, trace: incoming });
    if (span === undefined) return field;
    (this.#spans ??= new Map<number, CallSpan>()).set(questionId, span);
    const trace = checkedTrace(span.trace);
    if (trace === undefined) return field ?? [];
    // The method's context carries the server span's trace context: its calls are the span's
    // children. The deadline stays as it arrived (the call context part checks it).
    const remaining = field?.[0] ?? null;
    return trace.tracestate === undefined
      ? [remaining, trace.traceparent]
      : [remaining, trace.traceparent, trace.tracestate];
  }

  dispatch(
    questionId: number,
    target: CapabilityHandler,
    method: string,
    args: readonly unknown[],
    context: CallScope | undefined,
  ): ResultHandler {
    const span = this.#spans?.get(questionId);
    if (span?.within === undefined) return target.call(method, args, context);
    return span.within(() => target.call(method, args, context));
  }

  settled(questionId: number, settlement: Settlement): void {
    const span = this.#take(questionId);
    if (span !== undefined) endSpanWith(span, settlement);
  }

  cancelled(questionId: number, timedOut: boolean): void {
    const span = this.#take(questionId);
    if (span === undefined) return;
    endSpan(
      span,
      true,
      timedOut
        ? new CallTimeoutError("the call did not settle before the caller's deadline")
        : new CallAbortError('the caller cancelled the call'),
    );
  }

  endAll(aborted: unknown): void {
    const spans = this.#spans;
    if (spans === undefined) return;
    const open = [...spans.values()];
    spans.clear();
    for (const span of open) endSpan(span, true, aborted);
  }

  #take(questionId: number): CallSpan | undefined {
    const span = this.#spans?.get(questionId);
    if (span !== undefined) this.#spans!.delete(questionId);
    return span;
  }

  /** The tracer's span for `call`, or `undefined` (none, or the tracer threw). */
  #start(dispatch: boolean, call: TracedCall): CallSpan | undefined {
    try {
      return (dispatch ? this.#tracer.dispatch(call) : this.#tracer.send(call)) ?? undefined;
    } catch {
      // Tracing is advisory: a tracer's failure never fails the call.
      return undefined;
    }
  }
}

/**
 * Ends a client span once: when its call's result settles (the return, a send that failed, the
 * session's end), or when the call's context is cancelled before (the caller's result rejects at
 * once then; a return that still comes changes nothing). It is the context signal's listener (no
 * closure) until then.
 */
class TracedQuestion {
  #span: CallSpan | undefined;
  readonly #context: CallScope | undefined;

  constructor(span: CallSpan, result: ResultHandler, context: CallScope | undefined) {
    this.#span = span;
    this.#context = context;
    context?.signal.addEventListener('abort', this);
    result.onSettled((settlement) => {
      const open = this.#take();
      if (open !== undefined) endSpanWith(open, settlement);
    });
  }

  /** The call's context was cancelled. */
  handleEvent(): void {
    const open = this.#take();
    if (open !== undefined) endSpan(open, true, this.#context?.reason);
  }

  #take(): CallSpan | undefined {
    const span = this.#span;
    this.#span = undefined;
    if (span !== undefined) this.#context?.signal.removeEventListener('abort', this);
    return span;
  }
}

const succeeded = { failed: false } as const;

/** Ends `span`, swallowing what the tracer throws (the session's own work goes on). */
function endSpan(span: CallSpan, failed: boolean, error?: unknown): void {
  try {
    span.end(failed ? { failed, error } : succeeded);
  } catch {
    // Tracing is advisory, as in `#start`.
  }
}

/** Ends `span` as `settlement` says. */
function endSpanWith(span: CallSpan, settlement: Settlement): void {
  if (settlement.kind === 'error') endSpan(span, true, settlement.error);
  else endSpan(span, false);
}

/** `trace` when well formed (its `tracestate` dropped when not), else `undefined`. */
function checkedTrace(trace: TraceContext | undefined): TraceContext | undefined {
  if (trace === undefined || !isTraceparent(trace.traceparent)) return undefined;
  const tracestate = trace.tracestate;
  if (tracestate === undefined || isTracestate(tracestate)) return trace;
  return { traceparent: trace.traceparent };
}
