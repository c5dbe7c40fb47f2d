import { CallTimeoutError } from '../errors.ts';
import type { CapabilityHandler, ResultHandler, Settlement } from '../seam/capability-handler.ts';
import { FailedResult } from '../seam/failed-result.ts';
import { ignore, SettlementListeners } from '../seam/settlement-listeners.ts';
import { resolutionOf, settlementError } from '../seam/settlement-outcomes.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';
import type { ConsumerOptions } from '../streams/consumer-options.ts';
import { CallScope } from './call-context.ts';

/**
 * The caller's result of a call made with a context (docs/semantics.md#cancellation): it settles
 * as the call's own result (`inner`) does, or at once with the context's reason when the context is
 * cancelled first (the caller aborted, the deadline passed). Whichever comes first wins; the other
 * is ignored.
 *
 * Ownership: it holds one reference to `inner` (released with its own last reference) and the
 * context, which it ends when it settles (the context's listeners and timer go then). A capability
 * `inner` settles with is retained here for as long as this result lives.
 *
 * Pipelining: calls made on it before it settles go to `inner` at once (so they still travel with
 * the call), each with a context derived from this one: cancelling the call cancels the calls
 * pipelined on it. After it settles, calls go where the settlement says.
 */
export class ContextResult implements ResultHandler {
  readonly #inner: ResultHandler;
  readonly #context: CallScope;
  #references = 1;
  #settlement: Settlement | undefined = undefined;
  #capabilityDropped = false;
  /** Whether the reference to `inner` was given back (on a cancel, or with the last reference). */
  #innerReleased = false;
  readonly #listeners = new SettlementListeners();

  /** Takes ownership of one reference to `inner` and of `context`. */
  constructor(inner: ResultHandler, context: CallScope) {
    this.#inner = inner;
    this.#context = context;
    if (context.aborted) {
      this.#settle({ kind: 'error', error: context.reason });
      this.#releaseInner();
      return;
    }
    context.signal.addEventListener('abort', this);
    inner.onSettled((settlement) => {
      // Past the deadline the caller gets the timeout, even when the settlement is handled before
      // the deadline's timer (a loaded event loop runs the two in either order): the timer would
      // have won a moment earlier. Aborting settles this result through `handleEvent`.
      if (this.#settlement === undefined && !context.aborted && context.remainingMs() <= 0) {
        context.abort(new CallTimeoutError());
        return;
      }
      if (settlement.kind === 'capability') settlement.handler.retain();
      this.#settle(settlement);
    });
  }

  get consumerOptions(): ConsumerOptions | undefined {
    return this.#inner.consumerOptions;
  }

  set consumerOptions(options: ConsumerOptions | undefined) {
    this.#inner.consumerOptions = options;
  }

  /**
   * @internal The context was cancelled (this result is its own listener). The caller will never
   * see what `inner` settles with, so the reference to it goes now: a capability it still brings is
   * released on arrival, even if nobody ever disposes this (rejected) result.
   */
  handleEvent(): void {
    this.#settle({ kind: 'error', error: this.#context.reason });
    this.#releaseInner();
  }

  #releaseInner(): void {
    if (this.#innerReleased) return;
    this.#innerReleased = true;
    this.#inner.release();
  }

  call(method: string, args: readonly unknown[], context?: CallScope): ResultHandler {
    const settlement = this.#settlement;
    if (settlement === undefined) {
      const pipelined = CallScope.derive(this.#context, context);
      return new ContextResult(this.#inner.call(method, args, pipelined), pipelined);
    }
    if (settlement.kind === 'capability') return settlement.handler.call(method, args, context);
    const error = settlementError(settlement, method);
    abortStreamsIn(args, error);
    return new FailedResult(error);
  }

  whenResolved(): Promise<void> {
    return resolutionOf(this, this.#settlement);
  }

  retain(): void {
    this.#references++;
  }

  release(): void {
    if (--this.#references !== 0) return;
    this.#releaseInner();
    this.#dropCapability();
  }

  shorten(): CapabilityHandler {
    const settlement = this.#settlement;
    if (settlement === undefined) return this.#inner.shorten();
    return settlement.kind === 'capability' ? settlement.handler.shorten() : this;
  }

  onSettled(listener: (settlement: Settlement) => void): () => void {
    if (this.#settlement === undefined) return this.#listeners.add(listener);
    listener(this.#settlement);
    return ignore;
  }

  #dropCapability(): void {
    const settlement = this.#settlement;
    if (settlement?.kind !== 'capability' || this.#capabilityDropped) return;
    this.#capabilityDropped = true;
    settlement.handler.release();
  }

  #settle(settlement: Settlement): void {
    if (this.#settlement !== undefined) {
      if (settlement.kind === 'capability') settlement.handler.release();
      return;
    }
    this.#settlement = settlement;
    // The call is over for its caller: the context stops listening and its timer stops (an abort
    // fired it already). The inner call learns of a cancel through the context's own signal.
    this.#context.end();
    this.#context.signal.removeEventListener('abort', this);
    this.#listeners.notify(settlement);
    if (this.#references === 0) this.#dropCapability();
  }
}
