import { CallAbortError, CallTimeoutError, EventualError } from '../errors.ts';

/**
 * What a callee sees of the call it serves (`callContext()`), and what `withOptions()` takes to
 * pass a captured context on (docs/semantics.md#call-context).
 */
export interface CallContext {
  /**
   * Fires when the call is cancelled: its caller aborted (`CallAbortError`, `name` `AbortError`),
   * its deadline passed (`CallTimeoutError`, `name` `TimeoutError`) or the session that carried it
   * ended (`AbortedError`); `reason` says which.
   */
  readonly signal: AbortSignal;
  /** The deadline in `performance.now()` milliseconds of this process, or `undefined`. */
  readonly deadline: number | undefined;
  /** The W3C trace context the call carries, or `undefined`. */
  readonly trace: TraceContext | undefined;
  /** Milliseconds left before the deadline (0 once past it), or `Infinity` without one. */
  remainingMs(): number;
}

/**
 * The state behind one call's {@link CallContext} (docs/semantics.md#call-context): whether it was cancelled, its deadline
 * and its trace context. A caller sets them with `withOptions()`; the callee reads them with
 * `callContext()` while its method is dispatched; calls the callee makes within it inherit them.
 *
 * Who makes one, and who ends it:
 * - the caller's facade makes one per call that has options or runs inside a call that carried a
 *   context (see `current-call.ts`), and the call's result ends it when it settles
 *   (`context-result.ts`): the listeners it added to the caller's signal and its parent's, and its
 *   deadline timer, go then, so a long-lived signal does not collect one listener per call;
 * - a session makes one per received call that carried a context (ended with the answer), and one
 *   per session for calls that carried none (its signal fires when the session ends, and calls made
 *   within it inherit nothing: the no-context path stays free);
 * - `callContext()` called in a call that carried none makes one for that call ({@link CallScope.forCall}),
 *   and the dispatch ends it when the call settles.
 *
 * A context that ended ({@link end}) is never aborted afterwards: cancelling a call that has
 * settled is a no-op.
 */
export class CallScope implements CallContext {
  /**
   * Whether calls made within this context inherit it and carry it across sessions: true for a
   * context a caller set or a peer sent; false for a session's context of calls that carried none.
   */
  readonly carried: boolean;
  /**
   * When the call must have settled, in `performance.now()` milliseconds of this process, or
   * `undefined` for none. Sessions send the time that remains, never the absolute time: clocks
   * differ between processes.
   */
  readonly deadline: number | undefined;
  /** W3C trace context (`traceparent`, `tracestate`) the call carries, or `undefined`. */
  readonly trace: TraceContext | undefined;
  #controller: AbortController | undefined = undefined;
  /** The caller's own signal (from `withOptions`) this context listens to until it ends. */
  #source: AbortSignal | undefined = undefined;
  /** The signal of the context this one inherits from, listened to until it ends. */
  #parent: AbortSignal | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #ended = false;
  /** Whether `callContext()` made this context for one context-less call (see {@link CallScope.forCall}). */
  #perCall = false;

  /**
   * A context that nothing aborts but {@link abort} (a session's, for the calls it serves).
   *
   * @param deadline - in `performance.now()` milliseconds; a timer aborts the context then with
   *   `CallTimeoutError`
   */
  constructor(carried: boolean, deadline?: number, trace?: TraceContext) {
    this.carried = carried;
    this.deadline = deadline;
    this.trace = trace;
    if (deadline !== undefined) this.#startTimer(deadline);
  }

  /**
   * The context of a call made with `options` (from `withOptions`) within `parent` (the context of
   * the call being served, when it carried one): the earliest deadline of both, cancelled when
   * either signal aborts, and the parent's trace (a tracer may replace it).
   */
  static derive(parent: CallScope | undefined, options: CallOptions | undefined): CallScope {
    let deadline = parent?.deadline;
    // An infinite time (`remainingMs()` without a deadline) is no deadline: nothing to send.
    const timeoutMs = options?.timeoutMs;
    if (timeoutMs !== undefined && timeoutMs !== Number.POSITIVE_INFINITY) {
      deadline = earliest(deadline, performance.now() + timeoutMs);
    }
    const absolute = options?.deadline;
    if (absolute !== undefined && absolute !== Number.POSITIVE_INFINITY)
      deadline = earliest(deadline, absolute);
    const context = new CallScope(true, deadline, options?.trace ?? parent?.trace);
    const source = options?.signal;
    // A captured context passed on within itself is the parent already.
    if (source !== undefined && source !== parent?.signal) context.#listen(source, true);
    if (parent !== undefined && !context.#ended) context.#listen(parent.signal, false);
    return context;
  }

  /**
   * The context of one call made without a context, whose method asked for it (`callContext()`):
   * it carries nothing, fires when `shared` does (a session's context of the calls that carried
   * none: the session ended; a local call has none), and ends with the call, dropping its
   * listeners. Made on demand so that a call that never asks costs nothing, and so that listeners
   * a method adds to its signal go with the call instead of collecting on the one signal every
   * context-less call shares.
   */
  static forCall(shared: CallScope | undefined): CallScope {
    const context = new CallScope(false);
    context.#perCall = true;
    if (shared !== undefined) context.#listen(shared.signal, false);
    return context;
  }

  /** Whether this context was made by {@link CallScope.forCall} (the dispatch ends it with its call). */
  get perCall(): boolean {
    return this.#perCall;
  }

  /**
   * Fires when the call is cancelled: its caller aborted (`CallAbortError`), its deadline passed
   * (`CallTimeoutError`) or the session that carried it ended (`AbortedError`); `reason` says
   * which. Made on first read.
   */
  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  /** Whether the call was cancelled (reads the signal without making it). */
  get aborted(): boolean {
    return this.#controller?.signal.aborted ?? false;
  }

  /** Why the call was cancelled, or `undefined`. */
  get reason(): unknown {
    const signal = this.#controller?.signal;
    return signal?.aborted ? signal.reason : undefined;
  }

  /** Milliseconds left before the deadline (0 once past it), or `Infinity` without one. */
  remainingMs(): number {
    const deadline = this.deadline;
    return deadline === undefined ? Number.POSITIVE_INFINITY : Math.max(0, deadline - performance.now());
  }

  /** Cancels the call with `reason`, unless it ended; then ends the context. */
  abort(reason: unknown): void {
    if (this.#ended) return;
    this.end();
    (this.#controller ??= new AbortController()).abort(reason);
  }

  /**
   * The call settled: the context stops listening to its sources and its timer stops. Later aborts
   * do nothing. Idempotent.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#source?.removeEventListener('abort', this);
    this.#parent?.removeEventListener('abort', this);
    this.#source = this.#parent = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Whether the context ended (its call settled, or it was cancelled). */
  get ended(): boolean {
    return this.#ended;
  }

  /** @internal A source aborted (the context is its own listener: no closure per call). */
  handleEvent(event: Event): void {
    const signal = event.target as AbortSignal;
    this.abort(signal === this.#source ? abortError(signal.reason) : signal.reason);
  }

  #listen(signal: AbortSignal, own: boolean): void {
    if (signal.aborted) {
      this.abort(own ? abortError(signal.reason) : signal.reason);
      return;
    }
    signal.addEventListener('abort', this);
    if (own) this.#source = signal;
    else this.#parent = signal;
  }

  #startTimer(deadline: number): void {
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      this.abort(new CallTimeoutError());
      return;
    }
    // A deadline past the longest timer re-arms when that timer fires, instead of firing early.
    const timer = setTimeout(() => this.#startTimer(deadline), Math.min(remaining, maximumTimerMs));
    // A deadline never keeps a Node process alive on its own (as `AbortSignal.timeout()`).
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }
}

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days); a longer one would fire at once. */
const maximumTimerMs = 0x7fffffff;

/**
 * The error a caller's own aborted signal rejects its call with: `reason` itself when it is one of
 * ours (a captured context's signal passed on keeps its `CallTimeoutError` or `AbortedError`).
 */
function abortError(reason: unknown): unknown {
  if (reason instanceof EventualError) return reason;
  return new CallAbortError('the call was cancelled', { cause: reason });
}

function earliest(a: number | undefined, b: number): number {
  return a === undefined || b < a ? b : a;
}

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) a call carries: `traceparent` and,
 * optionally, `tracestate`, as their header values.
 */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate?: string | undefined;
}

/**
 * Options of the calls made through a view from `withOptions()` (docs/semantics.md#call-context).
 * A {@link CallContext} is one too: `withOptions(game, context)` passes a captured context on.
 */
export interface CallOptions {
  /**
   * Aborting it cancels the calls made through the view that have not settled: their results
   * reject at once with `CallAbortError` (`name` `AbortError`), calls pipelined on them too, and
   * the callee's `callContext().signal` fires.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Milliseconds each call may take, from when it is made; past it the call rejects with
   * `CallTimeoutError` (`name` `TimeoutError`) and the callee's signal fires. Calls the callee makes
   * within the call inherit the time that remains. `Infinity` (what `remainingMs()` says without a
   * deadline) means no deadline.
   */
  readonly timeoutMs?: number | undefined;
  /**
   * An absolute deadline in `performance.now()` milliseconds (a `CallContext`'s); `Infinity` means
   * none.
   */
  readonly deadline?: number | undefined;
  /** W3C trace context to send with each call (a tracer, such as `@msc/opentelemetry`, sets it). */
  readonly trace?: TraceContext | undefined;
}
