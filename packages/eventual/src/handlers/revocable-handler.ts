import type { CallScope } from '../context/call-context.ts';
import { DisposedError, RevokedError } from '../errors.ts';
import type { CapabilityHandler, ResultHandler, Settlement } from '../seam/capability-handler.ts';
import { FailedResult } from '../seam/failed-result.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';
import type { ConsumerOptions } from '../streams/consumer-options.ts';
import { PromiseHandler } from './promise-handler.ts';
import { PromiseView, pendingPromiseOf } from './promise-view.ts';

/**
 * A new revocable forwarder of `inner`, with one reference owned by the caller; it takes ownership
 * of the caller's reference to `inner`. A forwarder of a promise that has not resolved is a promise
 * itself ({@link RevocablePromiseHandler}).
 */
export function newRevocable(inner: CapabilityHandler): RevocableHandler {
  const promise = pendingPromiseOf(inner);
  const handler =
    promise === undefined ? new RevocableHandler(inner) : new RevocablePromiseHandler(inner, promise);
  handler.retain();
  return handler;
}

/**
 * A revocable forwarder (E's caretaker; docs/semantics.md#revocation): calls go to the handler it
 * wraps until `revoke()`, after which every call returns a result already aborted with a
 * `RevokedError`, and the results of calls still in flight settle with it too (the target may
 * still run those: revocation withdraws the answer, not an effect already under way).
 *
 * Ownership: it holds one reference to the wrapped handler and gives it back at the revocation or
 * when its own last reference goes, whichever comes first, so a revoked object can be disposed
 * while stale holders remain. It never shortens to the wrapped handler: a session exports the
 * forwarder, so a remote holder's calls pass through it and the revocation reaches them too.
 *
 * Ordering: a call goes to the wrapped handler synchronously, so instance order holds through the
 * forwarder; its result follows the wrapped result's settlement, so calls pipelined on it wait for
 * that settlement (a local target settles within a turn).
 *
 * Make forwarders with {@link newRevocable}: one of a pending promise must be a
 * {@link RevocablePromiseHandler}.
 */
export class RevocableHandler implements CapabilityHandler {
  #inner: CapabilityHandler | undefined;
  #error: RevokedError | undefined = undefined;
  #references = 0;
  /** Results of calls forwarded and not settled yet: a revocation settles them. */
  readonly #inFlight = new Set<PromiseHandler>();
  #listeners: Set<(error: unknown) => void> | undefined = undefined;

  /** @param inner - the handler wrapped; this takes ownership of one reference to it */
  constructor(inner: CapabilityHandler) {
    this.#inner = inner;
  }

  /** Whether `revoke` was called. */
  get revoked(): boolean {
    return this.#error !== undefined;
  }

  call(method: string, args: readonly unknown[], context?: CallScope): ResultHandler {
    const inner = this.#inner;
    if (inner === undefined) return this.#refuse(method, args);
    const forwarded = inner.call(method, args, context);
    const result = new PromiseHandler();
    this.#inFlight.add(result);
    forwarded.onSettled((settlement: Settlement) => {
      this.#inFlight.delete(result);
      // The settlement's capability belongs to `forwarded`: the result takes its own reference
      // (a result settled by a revocation meanwhile gives it straight back).
      if (settlement.kind === 'capability') settlement.handler.retain();
      result.settle(settlement);
      forwarded.release();
    });
    return result;
  }

  whenResolved(): Promise<void> {
    return this.#inner?.whenResolved() ?? Promise.reject(this.#error ?? new DisposedError('whenResolved'));
  }

  retain(): void {
    this.#references++;
  }

  release(): void {
    if (--this.#references !== 0) return;
    this.lastReleased();
  }

  /** The last reference went: the wrapped handler's reference is given back (if not revoked yet). */
  protected lastReleased(): void {
    const inner = this.#inner;
    this.#inner = undefined;
    inner?.release();
  }

  shorten(): CapabilityHandler {
    return this;
  }

  onRevoked(listener: (error: unknown) => void): () => void {
    if (this.#error !== undefined) {
      const error = this.#error;
      queueMicrotask(() => listener(error));
      return noop;
    }
    const listeners = (this.#listeners ??= new Set());
    // Each subscription is its own entry, so one listener subscribed twice is removed once per call.
    const entry = (error: unknown) => listener(error);
    listeners.add(entry);
    return () => listeners.delete(entry);
  }

  /**
   * Revokes: later calls fail with a `RevokedError` carrying `reason`, calls in flight settle with
   * it, the wrapped handler's reference is given back, and the listeners (the sessions that
   * exported this handler) are told. A second call does nothing.
   */
  revoke(reason: unknown): void {
    if (this.#error !== undefined) return;
    this.revokeWith(RevokedError.because(reason));
  }

  /** `revoke`, with the error made (a forwarder of a promise passes its own on to its resolution's). */
  revokeWith(error: RevokedError): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    const inner = this.#inner;
    this.#inner = undefined;
    const inFlight = [...this.#inFlight];
    this.#inFlight.clear();
    for (const result of inFlight) result.settle({ kind: 'error', error });
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener(error);
    inner?.release();
  }

  /** A call after the revocation, or (through a view that held nothing) after the last release. */
  #refuse(method: string, args: readonly unknown[]): ResultHandler {
    const error = this.#error ?? new DisposedError(method);
    abortStreamsIn(args, error);
    return new FailedResult(error);
  }
}

/**
 * A revocable forwarder of a promise that has not resolved: a promise itself, which a session sends
 * as a `SenderPromise`, so a remote holder's `whenResolved()` waits and rejects as the promise does.
 * It resolves to a revocable forwarder of what the promise resolves to (promise-view.ts), which this
 * one's revocation revokes too, with the same error: `revoke` reaches every holder of the
 * resolution, here and wherever a session sent it. Revoked before the promise settled, it settles
 * with the `RevokedError` (a session's `Resolve` tells the peer so).
 *
 * Ownership: as `RevocableHandler`. The resolution's forwarder is held by the settlement (given back
 * with this one's last reference); this keeps a plain pointer to it, so a `revoke` after every
 * holder of this one let go still reaches the resolution's holders.
 */
export class RevocablePromiseHandler extends RevocableHandler implements ResultHandler {
  consumerOptions: ConsumerOptions | undefined = undefined;
  readonly #view: PromiseView;
  #resolution: RevocableHandler | undefined = undefined;
  #revokedWith: RevokedError | undefined = undefined;

  /**
   * @param inner - the handler wrapped (a promise, or a handler forwarding to one); this takes
   *   ownership of one reference to it
   * @param promise - `inner`, or the promise it forwards to, whose settlement this follows
   */
  constructor(inner: CapabilityHandler, promise: ResultHandler) {
    super(inner);
    this.#view = new PromiseView(promise, (handler) => {
      const resolution = newRevocable(handler);
      this.#resolution = resolution;
      // A revocation racing the settlement (revoked while the promise's listeners ran) holds too.
      if (this.#revokedWith !== undefined) resolution.revokeWith(this.#revokedWith);
      return resolution;
    });
  }

  override whenResolved(): Promise<void> {
    return this.#view.whenResolved();
  }

  /** Once resolved, the forwarder of the resolution (a session sends that, never the target). */
  override shorten(): CapabilityHandler {
    return this.#view.shorten(this);
  }

  onSettled(listener: (settlement: Settlement) => void): () => void {
    return this.#view.onSettled(listener);
  }

  override revokeWith(error: RevokedError): void {
    if (this.#revokedWith !== undefined) return;
    this.#revokedWith = error;
    // Before the settlement the view settles with the error; after it this changes nothing.
    this.#view.settle({ kind: 'error', error });
    this.#resolution?.revokeWith(error);
    super.revokeWith(error);
  }

  protected override lastReleased(): void {
    this.#view.release();
    super.lastReleased();
  }
}

function noop(): void {}
