import { DisposedError, RevokedError } from '../errors.ts';
import type { CapabilityHandler, ResultHandler, Settlement } from '../seam/capability-handler.ts';
import { FailedResult } from '../seam/failed-result.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';
import { PromiseHandler } from './promise-handler.ts';

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

  call(method: string, args: readonly unknown[]): ResultHandler {
    const inner = this.#inner;
    if (inner === undefined) return this.#refuse(method, args);
    const forwarded = inner.call(method, args);
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
    const error = RevokedError.because(reason);
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

function noop(): void {}
