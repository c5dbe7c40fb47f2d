/**
 * Typed errors of eventual values. Each has a stable `name` and `code` so that it keeps its meaning
 * after crossing a session (the serializer sends name, message, code and cause).
 */

/** Stable codes of the errors this package throws. */
export type EventualErrorCode =
  | 'aborted'
  | 'disposed'
  | 'method-not-found'
  | 'not-a-capability'
  | 'nothing'
  | 'closed'
  | 'cancelled'
  | 'invalid-arguments'
  | 'revoked'
  | 'resolution-loop'
  | 'call-aborted'
  | 'timeout';

/** Base class of the errors this package throws. */
export class EventualError extends Error {
  override name = 'EventualError';
  readonly code: EventualErrorCode;
  constructor(code: EventualErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The well-known abort of an eventual value: the activity behind it can no longer complete,
 * typically because the session it spanned ended (docs/semantics.md#termination) or a sequence was
 * aborted.
 * `cause` carries the reason when one is known.
 */
export class AbortedError extends EventualError {
  override name = 'AbortedError';
  constructor(message = 'the eventual value was aborted', options?: { cause?: unknown }) {
    super('aborted', message, options);
  }
}

/**
 * A call on a capability that was revoked (`revocable()`'s `revoke(reason)`): every holder, local,
 * remote or forwarded, gets results already aborted with it, and calls in flight at the revocation
 * settle with it (docs/semantics.md#revocation). It is an {@link AbortedError} (the activity can no
 * longer complete) with its own code, `revoked`; `cause` carries the reason given to `revoke`.
 */
export class RevokedError extends AbortedError {
  override name = 'RevokedError';
  override readonly code: EventualErrorCode = 'revoked';
  constructor(message = 'the capability was revoked', options?: { cause?: unknown }) {
    super(message, options);
  }

  /** The error a revocation with `reason` gives every holder: the reason's text in the message, itself as `cause`. */
  static because(reason: unknown): RevokedError {
    const text = typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : undefined;
    const message =
      text === undefined ? 'the capability was revoked' : `the capability was revoked: ${cut(text)}`;
    return new RevokedError(message, reason === undefined ? undefined : { cause: reason });
  }
}

/**
 * Why a proxy instance no longer holds its reference (docs/ownership.md): disposed by its holder,
 * given away by returning it, or an argument of a call that has settled.
 */
export type DisposedReason = 'disposed' | 'returned' | 'argument';

const disposedReasons: Readonly<Record<DisposedReason, string>> = {
  disposed: 'this proxy was disposed',
  returned:
    'this proxy was returned from a method, which gave its reference to the caller; to keep yours, return a copy (`return proxy(this.room)`)',
  argument:
    'this proxy was an argument of a call that has settled, and the call released it; to keep an argument, keep a copy (`this.listener = proxy(listener)`)',
};

/** A call on a proxy instance after it was disposed, returned or released with its call. */
export class DisposedError extends EventualError {
  override name = 'DisposedError';
  constructor(method: string, reason: DisposedReason = 'disposed') {
    super('disposed', `cannot call ${quoteMethod(method)}: ${disposedReasons[reason]}`);
  }
}

/**
 * A call names something that is not a callable method of the target
 * (docs/semantics.md#callable-methods).
 */
export class MethodNotFoundError extends EventualError {
  override name = 'MethodNotFoundError';
  constructor(method: string, targetName: string, why: string) {
    super('method-not-found', `${quoteMethod(method)} is not a callable method of ${targetName}: ${why}`);
  }
}

/** A call was pipelined on a result that turned out to be data, not a capability. */
export class NotCapabilityError extends EventualError {
  override name = 'NotCapabilityError';
  constructor(method: string, what: string) {
    super(
      'not-a-capability',
      `cannot call ${quoteMethod(method)} on a result that resolved to ${what}, not a capability`,
    );
  }
}

/** A call on the `Nothing` capability. */
export class NothingError extends EventualError {
  override name = 'NothingError';
  constructor(method: string) {
    super('nothing', `cannot call ${quoteMethod(method)} on Nothing: no actions are authorized here`);
  }
}

/** A write to a sequence or byte stream after it was closed. */
export class ClosedError extends EventualError {
  override name = 'ClosedError';
  constructor(message: string) {
    super('closed', message);
  }
}

/** The consumer cancelled the sequence; `cause` carries the consumer's error, if it gave one. */
export class CancelledError extends EventualError {
  override name = 'CancelledError';
  constructor(message = 'the consumer cancelled the sequence', options?: { cause?: unknown }) {
    super('cancelled', message, options);
  }
}

/**
 * A promise was resolved with a capability that resolves to the promise itself (directly, or
 * through other promises, possibly across sessions). The promise settles with this error instead of
 * forming a loop its calls would travel forever (docs/semantics.md#promise-resolution).
 */
export class ResolutionLoopError extends EventualError {
  override name = 'ResolutionLoopError';
  constructor() {
    super('resolution-loop', 'promise resolved to itself');
  }
}

/**
 * A call its caller cancelled: the `AbortSignal` given with `withOptions()` aborted before the call
 * settled (docs/semantics.md#cancellation). Its `name` is `AbortError`, as `fetch` rejects; `cause`
 * carries the signal's reason. The callee's `callContext().signal` fires with it too.
 */
export class CallAbortError extends EventualError {
  override name = 'AbortError';
  constructor(message = 'the call was cancelled', options?: { cause?: unknown }) {
    super('call-aborted', message, options);
  }
}

/**
 * A call whose deadline passed before it settled (`withOptions(capability, { timeoutMs })`, or a
 * deadline inherited from the call being served: docs/semantics.md#deadlines). Its `name` is
 * `TimeoutError`, as `AbortSignal.timeout()`'s reason; the callee's `callContext().signal` fires
 * with it too.
 */
export class CallTimeoutError extends EventualError {
  override name = 'TimeoutError';
  constructor(message = 'the call did not settle before its deadline') {
    super('timeout', message);
  }
}

/** Describes a value for error messages without dumping it. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    // Not read on a promise: reading a call result's `constructor` takes it (see docs/ownership.md).
    if (value instanceof Promise) return 'a Promise';
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

/**
 * A method name quoted for an error message. Names come from callers, remote ones included, so a
 * long one is cut: an error about a 1 MiB name must not carry the name back whole.
 */
function quoteMethod(method: string): string {
  if (method.length <= 64) return `'${method}'`;
  return `'${method.slice(0, 64)}…' (${method.length} characters)`;
}

/** A reason's text for a message, cut like a method name (reasons may come from peers). */
function cut(text: string): string {
  return text.length <= 256 ? text : `${text.slice(0, 256)}… (${text.length} characters)`;
}
