import { type StandardSchema, validateArguments } from '../argument-validation.ts';
import type { CallScope } from '../context/call-context.ts';
import { enterCall, leaveCall } from '../context/current-call.ts';
import { DisposedError, MethodNotFoundError } from '../errors.ts';
import { copiedCapabilities, copyCapabilities, endArguments } from '../facade/capability-copy.ts';
import { holdsNoReferences, isSerialized } from '../facade/data-copy.ts';
import type { CapabilityHandler, ResultHandler } from '../seam/capability-handler.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';
import { type Dispatch, enqueueDispatch } from './dispatch-queue.ts';
import { findMethod, targetName } from './method-lookup.ts';
import { failedCall, PromiseHandler } from './promise-handler.ts';
import { settleWith } from './settle-with.ts';

/**
 * The handler of a local object (a capability hosted in this thread). Calls are queued on the
 * thread's dispatch queue, so they run at the top of a later turn in call order
 * (docs/semantics.md#top-of-turn-dispatch, #instance-order). One handler exists per target object;
 * it counts the references of every proxy instance, table entry and queued call, and when the last
 * goes the target's own `Symbol.dispose` runs, after every call queued before the release has been
 * dispatched (docs/semantics.md#lifetime).
 */
export class LocalHandler implements CapabilityHandler {
  readonly target: object;
  /** Argument schemas by method (see `proxy(target, { validate })`), checked before dispatch. */
  validators: Readonly<Record<string, StandardSchema>> | undefined = undefined;
  #references = 0;
  #disposed = false;
  /** Calls waiting while an asynchronous argument validation runs (keeps them in call order). */
  #gate: LocalCall[] | undefined = undefined;
  /** The method found last, for the prototype it was found on (most calls repeat one method). */
  #lastName: string | undefined = undefined;
  #lastPrototype: object | null = null;
  #lastMethod: Function | undefined = undefined;

  constructor(target: object) {
    this.target = target;
  }

  call(method: string, args: readonly unknown[], context?: CallScope): ResultHandler {
    if (this.#disposed) {
      // Reached through a proxy that held no reference of its own (see `handOff()`), after the
      // object's last holder released it.
      return failedCall(args, new DisposedError(method));
    }
    // The queued call holds a reference so a release right after the call cannot dispose the
    // target before the call is dispatched.
    this.#references++;
    // Data a session decoded for this call is a copy already, and its result is encoded at once.
    const serialized = isSerialized(args);
    // An argument list of primitives holds nothing to copy (most calls), nor does a session's
    // decoded list whose payload named no capability: it is kept as it is (holdsNoReferences).
    if (holdsNoReferences(args)) {
      const result = new LocalCall(this, method, args, context);
      result.encodedAtOnce = serialized;
      enqueueDispatch(result);
      return result;
    }
    // The callee gets its own instances of the capabilities in its arguments (the caller keeps
    // its own); they are released when the call settles: a callee that keeps one copies it
    // (docs/ownership.md).
    const copies = copyCapabilities(args, serialized);
    const result = new LocalCall(this, method, copies, context);
    result.encodedAtOnce = serialized;
    if (copiedCapabilities() !== 0) result.onSettled(() => endArguments(copies));
    enqueueDispatch(result);
    return result;
  }

  whenResolved(): Promise<void> {
    return Promise.resolve();
  }

  retain(): void {
    this.#references++;
  }

  release(): void {
    if (--this.#references !== 0 || this.#disposed) return;
    this.#disposed = true;
    handlers.delete(this.target);
    const dispose = (this.target as Partial<Disposable>)[Symbol.dispose];
    if (typeof dispose === 'function') {
      enqueueDispatch({
        run: () => {
          try {
            dispose.call(this.target);
          } catch (error) {
            queueMicrotask(() => {
              throw error;
            });
          }
        },
      });
    }
  }

  shorten(): CapabilityHandler {
    return this;
  }

  #invokeChecked(
    implementation: Function,
    checked: unknown[] | Error,
    result: PromiseHandler,
    args: unknown[],
    context: CallScope | undefined,
  ): void {
    if (checked instanceof Error) {
      abortStreamsIn(args, checked);
      result.settle({ kind: 'error', error: checked });
    } else {
      this.#invoke(implementation, checked, result, context);
    }
  }

  /**
   * Runs the method with its call context current (`callContext()`): the call's own, or one that
   * nothing cancels for a call made without one.
   */
  #invoke(
    implementation: Function,
    args: unknown[],
    result: PromiseHandler,
    context: CallScope | undefined,
  ): void {
    let returned: unknown;
    let threw = false;
    const previous = enterCall(context);
    try {
      returned = implementation.apply(this.target, args);
    } catch (error) {
      returned = error;
      threw = true;
    }
    const asked = leaveCall(previous);
    if (threw) result.settle({ kind: 'error', error: returned });
    else settleWith(result, returned);
    // A call made without a context whose method asked for one got its own: it ends with the call.
    if (asked !== undefined) result.onSettled(() => asked.end());
  }

  /** The method a call names (see `findMethod`); the last one found is remembered. */
  #method(name: string): Function | string {
    const prototype = Object.getPrototypeOf(this.target) as object | null;
    if (name === this.#lastName && prototype === this.#lastPrototype) return this.#lastMethod!;
    const found = findMethod(this.target, name);
    if (typeof found !== 'string') {
      this.#lastName = name;
      this.#lastPrototype = prototype;
      this.#lastMethod = found;
    }
    return found;
  }

  /** Runs a queued call; called by the dispatch queue at the top of a turn. */
  dispatch(call: LocalCall): void {
    if (this.#gate !== undefined) {
      this.#gate.push(call);
      return;
    }
    const { method, args, context } = call;
    call.dispatched();
    try {
      // Cancelled before it ran (docs/semantics.md#cancellation): the method never sees it.
      if (context?.aborted) {
        const error = context.reason;
        abortStreamsIn(args, error);
        call.settle({ kind: 'error', error });
        return;
      }
      const implementation = this.#method(method);
      if (typeof implementation === 'string') {
        const error = new MethodNotFoundError(method, targetName(this.target), implementation);
        abortStreamsIn(args, error);
        call.settle({ kind: 'error', error });
        return;
      }
      const schema = this.validators?.[method];
      if (schema === undefined) {
        this.#invoke(implementation, args, call, context);
        return;
      }
      const checked = validateArguments(method, schema, args);
      if (!(checked instanceof Promise)) {
        this.#invokeChecked(implementation, checked, call, args, context);
        return;
      }
      // An asynchronous validator: later calls on this object wait behind the gate, so they are
      // still dispatched in call order (docs/semantics.md#instance-order).
      this.#gate = [];
      this.#references++;
      void checked.then((outcome) => {
        this.#invokeChecked(implementation, outcome, call, args, context);
        const waiting = this.#gate ?? [];
        this.#gate = undefined;
        for (const dispatch of waiting) dispatch.run();
        this.release();
      });
    } finally {
      this.release();
    }
  }
}

/**
 * A call on a local object: the promise of its result (pipelined calls wait here) and the queued
 * dispatch in one, since every local call needs both.
 */
class LocalCall extends PromiseHandler implements Dispatch {
  /** Until the call is dispatched (then none: the result outlives it and must not hold them). */
  #handler: LocalHandler | undefined;
  args: unknown[];
  readonly method: string;
  readonly context: CallScope | undefined;
  constructor(
    handler: LocalHandler,
    method: string,
    args: readonly unknown[],
    context: CallScope | undefined,
  ) {
    super();
    this.#handler = handler;
    this.method = method;
    this.args = args as unknown[];
    this.context = context;
  }
  run(): void {
    this.#handler?.dispatch(this);
  }
  /** The call reached its method (or failed before it): the result keeps neither object nor arguments. */
  dispatched(): void {
    this.#handler = undefined;
    this.args = noArguments;
  }
}

const handlers = new WeakMap<object, LocalHandler>();

/** The one handler of a local target object, created on first use. */
export function localHandlerFor(target: object): LocalHandler {
  let handler = handlers.get(target);
  if (handler === undefined) {
    handler = new LocalHandler(target);
    handlers.set(target, handler);
  }
  return handler;
}

const noArguments: unknown[] = [];
