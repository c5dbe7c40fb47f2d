import type { TraceContext } from '@msc/eventual/context';
import type { CallScope, CapabilityHandler, ResultHandler, Settlement } from '@msc/eventual/handler';
import { notEnabled } from './not-enabled.ts';
import type { CallContextField, TargetKind } from './wire/protocol.ts';

/**
 * The seam a call tracer plugs into (docs/semantics.md#trace-context): a session with one asks it for
 * a span per call it sends and per call it dispatches, and sends the span's W3C trace context in the
 * call's context field (protocol.ts, `CallContextField`). `@msc/opentelemetry` installs one; the
 * session knows nothing of OpenTelemetry, only of these opaque, checked strings.
 *
 * ```
 *   caller's session                                   callee's session
 *   a call is sent ─ send(call) ─▶ span ─ Call [remainingMs, traceparent, tracestate] ─▶ dispatch(call) ─▶ span
 *                                                                        the method runs in span.within(...)
 *   Return, cancel or session end ─▶ span.end(outcome)       Return, Cancel, Finish or session end ─▶ span.end(outcome)
 * ```
 *
 * - `send`: `call.trace` is the trace context of the call being made (the caller's `withOptions`, or
 *   the one inherited from the call the caller serves); the span's `trace` is what is sent instead.
 * - `dispatch`: `call.trace` is what arrived, checked (a malformed `traceparent` or an oversized
 *   `tracestate` is dropped before the tracer sees it); the span's `trace` is what the method's
 *   `callContext().trace` says and what the calls it makes inherit (so they are the span's children).
 * - Each span is ended exactly once: when the call settles for its caller (its return, the caller's
 *   cancel or deadline) or, on the callee's side, when its return is sent, the caller cancels or
 *   finishes it, or the session ends. No span outlives its session.
 *
 * Off by default: a session without a tracer makes no span and sends no trace context of its own,
 * and its calls take the path they take without one. A peer of a protocol version before 4 has no
 * context field: calls to it are not traced. A tracer that throws traces nothing for that call (the
 * call goes on); a trace context it returns that is not well formed is not sent.
 */
export interface CallTracer {
  /** A call is being sent: its client span, or `undefined` to leave it untraced. */
  send(call: TracedCall): CallSpan | undefined;
  /** A call arrived and is being dispatched: its server span, or `undefined` to leave it untraced. */
  dispatch(call: TracedCall): CallSpan | undefined;
}

/** One call, as a {@link CallTracer} sees it. */
export interface TracedCall {
  /** The method called (what the caller named: the session knows no interface names). */
  readonly method: string;
  /** The session the call crosses. */
  readonly session: TracedSession;
  /**
   * `send`: the call's trace context (its parent), or `undefined`. `dispatch`: the checked trace
   * context that arrived with it, or `undefined`.
   */
  readonly trace: TraceContext | undefined;
}

/** What a tracer may read of the session a call crosses (a `Session` is one). */
export interface TracedSession {
  /** What the session's authenticator learned about the peer (`@msc/identity`: its `PublicIdentity`). */
  readonly peer: unknown;
  /** The connection's addresses, as this side sees them. */
  readonly addresses: { readonly local: string; readonly remote: string };
}

/** A span a {@link CallTracer} made for one call. */
export interface CallSpan {
  /**
   * The trace context the call carries on: sent with the call (`send`), or inherited by the calls
   * its method makes (`dispatch`). `undefined` keeps the call's own.
   */
  readonly trace: TraceContext | undefined;
  /** The call settled (called once): `failed` with `error` for a rejection, a cancel, a timeout, a session end. */
  end(outcome: CallOutcome): void;
  /** Runs the method's dispatch (`dispatch` spans only): a tracer makes its span the active one there. */
  within?<T>(dispatch: () => T): T;
}

/** How a call ended, for {@link CallSpan.end}. */
export type CallOutcome = { readonly failed: false } | { readonly failed: true; readonly error: unknown };

/**
 * What a session's tables ask of its call tracing (call-tracing.ts, installed by
 * `enableCallTracing()`): one per session with a tracer, holding the server spans of the calls it
 * serves until they end. A session without a tracer has none, and its tables take the path they
 * take without one.
 */
export interface CallTracing {
  /** Sends a call with a client span through `questions` (see `QuestionTable.ask`). */
  ask(
    questions: QuestionOpener,
    targetKind: TargetKind,
    targetId: number,
    method: string,
    args: readonly unknown[],
    context: CallScope | undefined,
  ): ResultHandler;
  /**
   * A call arrived with context field `field`: makes its server span, and returns the field the
   * call context part reads, with the span's trace context in place of the one that arrived (a
   * field made for a call that carried none), or `field` itself when the tracer made no span.
   */
  receive(
    questionId: number,
    method: string,
    field: readonly unknown[] | undefined,
  ): readonly unknown[] | undefined;
  /** Dispatches call `questionId` to `target` (within its span, when the tracer asks). */
  dispatch(
    questionId: number,
    target: CapabilityHandler,
    method: string,
    args: readonly unknown[],
    context: CallScope | undefined,
  ): ResultHandler;
  /** Call `questionId` settled: its span ends with `settlement`. */
  settled(questionId: number, settlement: Settlement): void;
  /**
   * Call `questionId` was cancelled (a `Cancel`, `timedOut` when the caller's deadline passed) or
   * finished before its return: its span ends, failed.
   */
  cancelled(questionId: number, timedOut: boolean): void;
  /** The session ended: every span still open ends with `aborted`. */
  endAll(aborted: unknown): void;
}

/** The part of `QuestionTable` the traced path sends through (`QuestionTable.open`). */
export interface QuestionOpener {
  open(
    targetKind: TargetKind,
    targetId: number,
    method: string,
    args: readonly unknown[],
    field: CallContextField,
    context: CallScope | undefined,
  ): ResultHandler;
}

/** Makes the call tracing of one session. */
export type CallTracingFactory = (tracer: CallTracer, session: TracedSession) => CallTracing;

let installed: CallTracer | undefined;
let factory: CallTracingFactory | undefined;

/** Sets the tracer of sessions without a `callTracer` option (`installCallTracer()`). */
export function setInstalledCallTracer(tracer: CallTracer | undefined): void {
  installed = tracer;
}

/** Installs the call tracing implementation (`enableCallTracing()`). */
export function installCallTracing(made: CallTracingFactory | undefined): void {
  factory = made;
}

/**
 * The call tracing of a session with option `option` (`null`: none; `undefined`: the
 * installed tracer), or `undefined` when it has no tracer.
 *
 * @throws TypeError when the session has a tracer but call tracing is not enabled (the browser entry)
 */
export function callTracingOf(
  option: CallTracer | null | undefined,
  session: TracedSession,
): CallTracing | undefined {
  const tracer = option === undefined ? installed : option;
  if (tracer === null || tracer === undefined) return undefined;
  if (factory === undefined) {
    throw new TypeError(
      `a callTracer needs call tracing: ${notEnabled('call tracing', 'enableCallTracing')}`,
    );
  }
  return factory(tracer, session);
}
