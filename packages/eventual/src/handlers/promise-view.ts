import { ResolutionLoopError } from '../errors.ts';
import type { CapabilityHandler, ResultHandler, Settlement } from '../seam/capability-handler.ts';
import { ignore, SettlementListeners } from '../seam/settlement-listeners.ts';
import { resolutionOf, settlementError } from '../seam/settlement-outcomes.ts';

/**
 * The settlement of a view of a promise: a facet or a revocable forwarder (facet-handler.ts,
 * revocable-handler.ts) made of a promise that has not resolved yet. The view must itself be a
 * promise (a session sends it as a `SenderPromise`, so the receiver's `whenResolved()` waits and
 * rejects as the promise does), and what it resolves to must be the same kind of view of what the
 * promise resolved to (a facet resolves to a facet of the target, a revocable forwarder to a
 * revocable forwarder its own `revoke` reaches): the authority never widens when the promise
 * resolves (docs/semantics.md#bounded-authority).
 *
 * This holds that settlement: it watches the promise and, when it settles, keeps `wrap` of the
 * capability it settled to, or its error (data is an error here, `NotCapabilityError`: a view is
 * a capability, never awaited for a value). Calls do not pass through it: the view forwards them
 * to the promise itself, which queues them and forwards them in order at its resolution, so calls
 * pipelined on the view keep instance order, as calls on the promise do.
 *
 * Ownership: the view owns the promise's reference, this holds only the listener (removed by
 * `release`). A capability settlement owns one reference to the wrapped handler (`wrap` gets a
 * reference of its own to the promise's capability and returns a handler with one reference), given
 * back by `release`, the view's last release.
 */
export class PromiseView {
  #settlement: Settlement | undefined = undefined;
  readonly #listeners = new SettlementListeners();
  #stop: (() => void) | undefined = undefined;
  #released = false;
  /** Set while `shorten()` walks on from here: meeting it again means a loop. */
  #shortening = false;

  /**
   * @param promise - the promise viewed (its reference stays the view's)
   * @param wrap - the view of a capability the promise settled to: takes ownership of one reference
   *   to it, returns a handler with one reference (owned by this settlement)
   */
  constructor(promise: ResultHandler, wrap: (handler: CapabilityHandler) => CapabilityHandler) {
    let settled = false;
    const stop = promise.onSettled((settlement) => {
      settled = true;
      this.#stop = undefined;
      if (settlement.kind === 'capability') {
        // The settlement's reference stays the promise's: the wrapped view takes one of its own.
        settlement.handler.retain();
        this.settle({ kind: 'capability', handler: wrap(settlement.handler) });
      } else {
        this.settle({ kind: 'error', error: settlementError(settlement, 'whenResolved') });
      }
    });
    if (!settled) this.#stop = stop;
  }

  /** The settlement, once the promise settled (or the view settled it early, see `settle`). */
  get settlement(): Settlement | undefined {
    return this.#settlement;
  }

  /**
   * Settles the view (the promise's settlement, or a revocation before it): later settlements are
   * ignored (their capability reference released), and the promise is no longer watched. Takes
   * ownership of the reference a capability settlement carries.
   */
  settle(settlement: Settlement): void {
    if (this.#settlement !== undefined || this.#released) {
      if (settlement.kind === 'capability') settlement.handler.release();
      return;
    }
    this.#stop?.();
    this.#stop = undefined;
    this.#settlement = settlement;
    this.#listeners.notify(settlement);
  }

  /** See `ResultHandler.onSettled`. */
  onSettled(listener: (settlement: Settlement) => void): () => void {
    if (this.#settlement === undefined) return this.#listeners.add(listener);
    listener(this.#settlement);
    return ignore;
  }

  /** Waits for the settlement, then resolves or rejects as what it settled to does. */
  whenResolved(): Promise<void> {
    // A view never settles with data (the constructor turns it into a `NotCapabilityError`).
    return resolutionOf(this, this.#settlement);
  }

  /**
   * The end of the view's forwarding chain: what the wrapped capability shortens to once settled,
   * else `view` itself (still a promise, or broken).
   *
   * @throws ResolutionLoopError when the walk comes back here (a backstop, as in `PromiseHandler`)
   */
  shorten(view: CapabilityHandler): CapabilityHandler {
    const settlement = this.#settlement;
    if (settlement?.kind !== 'capability') return view;
    if (this.#shortening) throw new ResolutionLoopError();
    this.#shortening = true;
    try {
      return settlement.handler.shorten();
    } finally {
      this.#shortening = false;
    }
  }

  /** The view's last reference went: stop watching, give back the wrapped capability. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#stop?.();
    this.#stop = undefined;
    const settlement = this.#settlement;
    if (settlement?.kind === 'capability') settlement.handler.release();
  }
}

/**
 * The promise a view of `handler` must watch, when `handler` (or what it forwards to now) is a
 * promise that has not settled to a capability; `undefined` when it is a capability (a view of it
 * is a plain facet or forwarder). A view of a promise must be a promise itself ({@link PromiseView}).
 */
export function pendingPromiseOf(handler: CapabilityHandler): ResultHandler | undefined {
  const end = handler.shorten();
  if (!isResultHandler(end)) return undefined;
  return isResultHandler(handler) ? handler : end;
}

function isResultHandler(handler: CapabilityHandler): handler is ResultHandler {
  return typeof (handler as Partial<ResultHandler>).onSettled === 'function';
}
