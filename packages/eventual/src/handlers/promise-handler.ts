import type { CallScope } from '../context/call-context.ts';
import { ResolutionLoopError } from '../errors.ts';
import { copyCapabilities, releaseCapabilities } from '../facade/capability-copy.ts';
import { callSerialized, holdsNoReferences, isSerialized } from '../facade/data-copy.ts';
import type { CapabilityHandler, ResultHandler, Settlement } from '../seam/capability-handler.ts';
import { ignore, SettlementListeners } from '../seam/settlement-listeners.ts';
import { resolutionOf, settlementError } from '../seam/settlement-outcomes.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';
import type { ConsumerOptions } from '../streams/consumer-options.ts';
import { releaseSettlement } from './release-settlement.ts';

/** A call pipelined on a promise before it resolved, waiting to be forwarded in order. */
interface PendingCall {
  readonly method: string;
  /**
   * Our own copy of the arguments' capabilities (the caller may release its own meanwhile), or the
   * list as it was lent when it holds none.
   */
  readonly args: readonly unknown[];
  /**
   * Whether `args` is our copy, whose proxies (and streams) we release (or abort) once the call is
   * forwarded or failed; `false` for a list kept as it was lent, which holds none (see `holdsNoReferences`).
   */
  readonly copied: boolean;
  /**
   * Whether a session decoded `args` for this call alone (`markSerialized`): when the call goes on,
   * its target is told so again, and neither copies the data nor the result (the session encodes it).
   */
  readonly serialized: boolean;
  readonly result: PromiseHandler;
  /** The call's context, forwarded with it (`undefined` for none). */
  readonly context: CallScope | undefined;
}

// Settling a promise settles the results of the calls queued on it, and a result that follows
// another settles when it does: each link of a chain of pipelined calls (a peer can send 200,000 in
// one frame, each on the previous answer) costs stack frames, and a long chain overflowed the
// stack. So what a settlement sets off for other results (`queueStep`) runs at once, as it always
// did, only up to `maximumNestedSteps` deep; deeper, it waits in a queue that the outermost step
// drains before it returns, in order. A chain of any length then settles in bounded stack. A
// settlement made directly (`settle()`, `follow()`) runs as it is: what it sets off is counted.
const stepSettle = 0;
const stepFollow = 1;
const stepFollowed = 2;
/** How deep steps set off by settlements run at once (a few stack frames each). */
const maximumNestedSteps = 64;
/** Runs one step on its target (bound by the class's static block: steps are private to it). */
let runStep: (target: PromiseHandler, step: number, value: unknown) => void;
/** How deep the running steps are (0: none runs). */
let depth = 0;
/** Steps set off past {@link maximumNestedSteps}, waiting for the outermost step to drain them. */
const waitingSteps: { readonly target: PromiseHandler; readonly step: number; readonly value: unknown }[] =
  [];

/**
 * Runs a step that a settlement set off for `target`: at once, or queued when the steps are deep.
 * The outermost step drains the queue before it returns; a queued step that throws does not keep
 * the others from running, and the first failure is thrown at the end.
 */
function queueStep(target: PromiseHandler, step: number, value: unknown): void {
  if (depth >= maximumNestedSteps) {
    waitingSteps.push({ target, step, value });
    return;
  }
  depth++;
  let failure: { error: unknown } | undefined;
  try {
    runStep(target, step, value);
  } catch (error) {
    failure = { error };
  }
  depth--;
  if (depth === 0 && waitingSteps.length > 0) failure = drainWaitingSteps(failure);
  if (failure !== undefined) throw failure.error;
}

/** Runs the waiting steps in order, each as an outermost one (their own steps nest again). */
function drainWaitingSteps(failure: { error: unknown } | undefined): { error: unknown } | undefined {
  for (let index = 0; index < waitingSteps.length; index++) {
    const waiting = waitingSteps[index]!;
    depth = 1;
    try {
      runStep(waiting.target, waiting.step, waiting.value);
    } catch (error) {
      if (failure === undefined) failure = { error };
      else reportLater(error);
    }
  }
  depth = 0;
  waitingSteps.length = 0;
  return failure;
}

/** A second failure of one run of settlements: surfaced as an uncaught error, as the dispatch queue does. */
function reportLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * A local promise for a capability or a value: the result of a local call, or a promise made with
 * `eventualPromise()`. Calls made before it resolves are queued here and forwarded in call order
 * the moment it resolves (docs/semantics.md#promise-pipelining), before any later call, so instance
 * order holds across the resolution (docs/semantics.md#instance-order).
 */
export class PromiseHandler implements ResultHandler {
  consumerOptions: ConsumerOptions | undefined = undefined;
  /**
   * Whether the value this promise settles with goes straight to a session's encoder (the result of
   * a call a session decoded, see `markSerialized`): settling then shares its data instead of
   * copying it, since the encoding is the copy.
   */
  encodedAtOnce = false;
  #references = 1;
  #settlement: Settlement | undefined = undefined;
  /** Whether the capability settlement's reference was given back (see `releaseSettlement`). */
  #capabilityReleased = false;
  /** Set when this promise follows another result: calls go straight there. */
  #forward: ResultHandler | undefined = undefined;
  #pending: PendingCall[] | undefined = undefined;
  /** Set while `shorten()` walks on from here: meeting it again means a loop (see `shorten()`). */
  #shortening = false;
  /**
   * Who waits for the settlement: the first listener in a field (most results have exactly one,
   * their facade), any others in a list made at need.
   */
  #listener: ((settlement: Settlement) => void) | undefined = undefined;
  #listeners: SettlementListeners | undefined = undefined;

  /** Whether the promise has settled (resolved, rejected or started following another result). */
  get isSettled(): boolean {
    return this.#settlement !== undefined;
  }

  call(method: string, args: readonly unknown[], context?: CallScope): ResultHandler {
    if (this.#forward !== undefined) return this.#forward.call(method, args, context);
    const settlement = this.#settlement;
    if (settlement !== undefined) return callSettled(settlement, method, args, context);
    const result = new PromiseHandler();
    // A list that holds no proxy is kept as it is, and is neither walked now nor when the call
    // goes on. Otherwise the queued call gets its own proxies; a session's decoded data is a copy
    // already, so only the proxies (and the containers on their way) are copied.
    const kept = holdsNoReferences(args);
    const serialized = isSerialized(args);
    (this.#pending ??= []).push({
      method,
      args: kept ? args : copyCapabilities(args, serialized),
      copied: !kept,
      serialized,
      result,
      context,
    });
    return result;
  }

  whenResolved(): Promise<void> {
    if (this.#forward !== undefined) return this.#forward.whenResolved();
    return resolutionOf(this, this.#settlement);
  }

  retain(): void {
    this.#references++;
  }

  release(): void {
    if (--this.#references !== 0) return;
    // Queued calls belong to their own results, which may still be alive: they are forwarded when
    // this promise settles even if nobody holds the promise itself any more.
    if (this.#forward !== undefined) {
      this.#forward.release();
      this.#forward = undefined;
    }
    // What the settlement holds goes with the last reference (see `releaseSettlement`).
    this.#capabilityReleased = releaseSettlement(this.#settlement, this.#capabilityReleased);
  }

  /**
   * @throws ResolutionLoopError when the walk comes back here. `settle()` and `follow()` refuse
   *   the link that would close a loop, as sessions do for their promises, so this is a backstop:
   *   a clear error instead of a stack overflow.
   */
  shorten(): CapabilityHandler {
    const next =
      this.#forward ?? (this.#settlement?.kind === 'capability' ? this.#settlement.handler : undefined);
    if (next === undefined) return this;
    if (this.#shortening) throw new ResolutionLoopError();
    this.#shortening = true;
    try {
      return next.shorten();
    } finally {
      this.#shortening = false;
    }
  }

  onSettled(listener: (settlement: Settlement) => void): () => void {
    if (this.#settlement === undefined) {
      if (this.#listener !== undefined || this.#listeners !== undefined) {
        return (this.#listeners ??= new SettlementListeners()).add(listener);
      }
      this.#listener = listener;
      // Most results are listened to once (by their facade) and never unsubscribed: a bound method
      // needs no closure context (48 B per call instead of 104).
      return this.#forgetFirstListener.bind(this);
    }
    listener(this.#settlement);
    return ignore;
  }

  /**
   * Unsubscribes the first listener. The first slot is filled at most once (later listeners go to
   * the list, and once settled none are kept), so whatever it holds is the listener this undoes, or
   * `undefined` once it was told. It keeps a no-op, so a later listener cannot run before earlier ones.
   */
  #forgetFirstListener(): void {
    if (this.#listener !== undefined) this.#listener = ignore;
  }

  /**
   * Settles the promise. Takes ownership of the reference a capability settlement carries. Later
   * calls are ignored (and their capability reference released), so a racing resolver is harmless.
   * A capability that resolves to this promise itself (a loop, which a peer can close through its
   * promises) is refused: the promise settles with a `ResolutionLoopError` instead.
   */
  settle(settlement: Settlement): void {
    if (this.#settlement !== undefined || this.#forward !== undefined) {
      if (settlement.kind === 'capability') settlement.handler.release();
      return;
    }
    if (settlement.kind === 'capability') settlement = refuseLoop(settlement, this);
    this.#settlement = settlement;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) {
      for (const call of pending) {
        if (settlement.kind === 'capability') {
          const inner = forward(settlement.handler, call);
          if (call.copied) releaseCapabilities(call.args);
          queueStep(call.result, stepFollow, inner);
        } else {
          const error = settlementError(settlement, call.method);
          if (call.copied) {
            releaseCapabilities(call.args);
            abortStreamsIn(call.args, error);
          }
          queueStep(call.result, stepSettle, { kind: 'error', error });
        }
      }
    }
    this.#notify(settlement);
  }

  /**
   * Makes this promise follow another result: queued and later calls go to `inner`, and this
   * promise settles as `inner` does. Takes ownership of the reference to `inner`. A result that
   * resolves to this promise itself is refused as in `settle()`.
   */
  follow(inner: ResultHandler): void {
    if (this.#settlement !== undefined || this.#forward !== undefined) {
      inner.release();
      return;
    }
    // settle() refuses it: it releases `inner` and settles with a `ResolutionLoopError`.
    if (leadsTo(inner, this)) {
      this.settle({ kind: 'capability', handler: inner });
      return;
    }
    if (this.consumerOptions !== undefined && inner.consumerOptions === undefined) {
      inner.consumerOptions = this.consumerOptions;
    }
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) {
      for (const call of pending) {
        const forwarded = forward(inner, call);
        if (call.copied) releaseCapabilities(call.args);
        queueStep(call.result, stepFollow, forwarded);
      }
    }
    // Nobody holds this promise and nobody waits for it: nothing to forward.
    if (this.#references === 0 && this.#listener === undefined) {
      inner.release();
      return;
    }
    // A promise nobody holds may still have listeners (a disposed result waiting to end the stream
    // it turns out to be): keep `inner` until it settles so they hear how, then give it back.
    this.#forward = inner;
    inner.onSettled((settlement) => {
      // This promise's own reference to a capability, taken as `inner` settles (the step may wait).
      if (settlement.kind === 'capability') settlement.handler.retain();
      queueStep(this, stepFollowed, settlement);
    });
  }

  /** `inner` (see `follow()`) settled; a capability's reference is already this promise's. */
  #followedNow(settlement: Settlement): void {
    this.#settleFollowed(settlement);
    if (this.#references === 0 && this.#forward !== undefined) {
      this.#forward.release();
      this.#forward = undefined;
    }
  }

  static {
    // The one way in for `queueStep` (a module function, so that no member of the class names it).
    runStep = (target, step, value) => target.#step(step, value);
  }

  #step(step: number, value: unknown): void {
    if (step === stepSettle) this.settle(value as Settlement);
    else if (step === stepFollow) this.follow(value as ResultHandler);
    else this.#followedNow(value as Settlement);
  }

  #settleFollowed(settlement: Settlement): void {
    // Calls keep going to #forward (which already holds them in order); only the value settles.
    this.#settlement = settlement;
    this.#notify(settlement);
  }

  /** Tells the listeners, then drops the capability if nobody holds this promise any more. */
  #notify(settlement: Settlement): void {
    const first = this.#listener;
    const others = this.#listeners;
    this.#listener = undefined;
    this.#listeners = undefined;
    first?.(settlement);
    others?.notify(settlement);
    if (this.#references === 0)
      this.#capabilityReleased = releaseSettlement(this.#settlement, this.#capabilityReleased);
  }
}

/** Sends a queued call on to `target`, its arguments still marked as a session decoded them (if it did). */
function forward(target: CapabilityHandler, call: PendingCall): ResultHandler {
  if (!call.serialized) return target.call(call.method, call.args, call.context);
  return callSerialized(call.args, call.copied, () => target.call(call.method, call.args, call.context));
}

/** A result handler that is already settled. */
export function settledResult(settlement: Settlement): PromiseHandler {
  const result = new PromiseHandler();
  result.settle(settlement);
  return result;
}

/**
 * The result of a call that never reaches a target (the target is broken, revoked, disposed or
 * gone, or the call could not be sent): the streams in its arguments abort, so their other ends stop
 * waiting (see {@link abortStreamsIn}), and the result is already settled with `error`.
 */
export function failedCall(args: readonly unknown[], error: unknown): PromiseHandler {
  abortStreamsIn(args, error);
  return settledResult({ kind: 'error', error });
}

/**
 * Whether `handler` resolves (so far) to `promise`, or walks into a loop on the way: settling
 * `promise` with it would close a resolution loop (sessions check their questions with it too).
 */
export function leadsTo(handler: CapabilityHandler, promise: CapabilityHandler): boolean {
  try {
    return handler.shorten() === promise;
  } catch (error) {
    if (error instanceof ResolutionLoopError) return true;
    throw error;
  }
}

/**
 * What a result handler settles with when it is given a capability: `settlement` itself, unless the
 * capability leads back to `result` (a resolution loop, which a peer can close through its
 * promises). That one is refused: its reference, which the settlement owned, is released here, and
 * the result settles with a `ResolutionLoopError` instead. The local promise and a session's remote
 * question both call it at the top of `settle()`, once they know they were not settled yet (a
 * value or error settlement skips the call: no loop to look for).
 */
export function refuseLoop(
  settlement: Extract<Settlement, { kind: 'capability' }>,
  result: CapabilityHandler,
): Settlement {
  if (!leadsTo(settlement.handler, result)) return settlement;
  settlement.handler.release();
  return { kind: 'error', error: new ResolutionLoopError() };
}

/**
 * A call on a result settled as `settlement`: to its capability, or, for data or an error, a
 * {@link failedCall} with {@link settlementError}.
 */
export function callSettled(
  settlement: Settlement,
  method: string,
  args: readonly unknown[],
  context: CallScope | undefined,
): ResultHandler {
  if (settlement.kind === 'capability') return settlement.handler.call(method, args, context);
  return failedCall(args, settlementError(settlement, method));
}
