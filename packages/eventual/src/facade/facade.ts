import { DisposedError } from '../errors.ts';
import type { CapabilityHandler, ResultHandler, Settlement } from '../seam/capability-handler.ts';
import { ignore } from '../seam/settlement-listeners.ts';
import { applyConsumerOptions } from '../streams/stream-endpoint.ts';
import { takeCarriedCapabilities } from './carried-capabilities.ts';
import { isEncoding } from './encoding-scope.ts';
import { FacadeState, stateKey, stateOf } from './facade-state.ts';
import { absentNames, localAnswer, localNames } from './local-names.ts';

export { stateOf } from './facade-state.ts';

/**
 * The objects a program holds: facades over a handler (see `seam/capability-handler.ts`), each
 * owning one reference to it, given back on `Symbol.dispose` or, as a backstop, when the facade is
 * garbage collected (`facade-state.ts`). Two kinds exist:
 * - a capability facade (`Proxy<I>`): a JavaScript `Proxy` on which any string property is a
 *   method that calls the handler, except the names JavaScript probes on its own
 *   (`local-names.ts`), which it answers locally; it is deliberately not thenable, so `await` on it
 *   never loops;
 * - a result facade (what a call returns): a native promise of the call's value (or, when the
 *   result is a capability, of a capability facade that took the result's reference), whose
 *   prototype chain holds a `Proxy` that makes any other string property a pipelined method, plus,
 *   once a stream can exist, a consumer view for sequences (`for await`, `capacity`, `batchSize`;
 *   `result-streams.ts`). Being a native promise is
 *   what makes `await` cheap: it takes the engine's fast path (one turn once the value is known)
 *   instead of calling a thenable's `then`.
 */

/**
 * How many bound methods one facade remembers. A program that reads names it was given (a command
 * typed by a player, say) must not grow a proxy without bound; past this, a method is bound afresh
 * on each read, which is only a little slower.
 */
const maximumBoundMethods = 64;

/**
 * What a string property of a facade is: the bound method that calls the handler, made once per
 * name and facade, or the local answer for a name a proxy never sends (see `local-names.ts`).
 * Local names are checked only when a name is not bound yet, so a repeated call costs one field read
 * (the first name) or one map hit.
 */
function method(state: FacadeState, name: string, receiver: object): unknown {
  if (state.firstMethodName === name) return state.firstMethod;
  let bound = state.methods?.get(name);
  if (bound === undefined) {
    if (localNames.has(name)) return localAnswer(name, receiver);
    bound = (...args: unknown[]) => createResult(state.call(name, args));
    // Most facades are called by one name (a call's result, pipelined on once): that one needs no map.
    if (state.firstMethodName === undefined) {
      state.firstMethodName = name;
      state.firstMethod = bound;
    } else {
      const methods = (state.methods ??= new Map());
      if (methods.size < maximumBoundMethods - 1) methods.set(name, bound);
    }
  }
  return bound;
}

function whenResolved(state: FacadeState): () => Promise<void> {
  return () => {
    if (state.disposed) return Promise.reject(new DisposedError('whenResolved', state.reason));
    if (state.ownership === 'floating') state.ownership = 'owned';
    return state.handler.whenResolved();
  };
}

/**
 * The proxy `await` gives for a result that is a capability. The result's own reference moves into
 * it (a proxy over the result handler, which forwards to the capability): the caller disposes one
 * thing, and nothing waits for garbage collection. A result disposed before it settled gives a
 * proxy with a reference of its own.
 */
function awaitedProxy(state: FacadeState, capability: CapabilityHandler): object {
  if (state.disposed || !state.holdsReference) {
    capability.retain();
    return createProxy(capability);
  }
  const awaited = createProxy(state.handler);
  state.awaited = stateOf(awaited);
  state.unwatch();
  return awaited;
}

const capabilityTraps: ProxyHandler<object> = {
  get(target, key, receiver) {
    const state = (target as { [stateKey]: FacadeState })[stateKey];
    if (typeof key === 'string') {
      if (key === 'whenResolved') return whenResolved(state);
      return method(state, key, receiver);
    }
    if (key === stateKey) return state;
    if (key === Symbol.dispose) return () => state.dispose();
    if (key === Symbol.toStringTag) return 'Proxy';
    return undefined;
  },
  set: refuse,
  defineProperty: refuse,
  deleteProperty: refuse,
  has(_target, key) {
    if (typeof key === 'string') return !absentNames.has(key);
    return key === Symbol.dispose;
  },
};

function refuse(): boolean {
  return false;
}

/**
 * The hidden target of a capability facade. A class (not a plain object) so that serializers, which
 * look at the prototype, never mistake a proxy for plain data.
 */
class FacadeTarget {
  readonly [stateKey]: FacadeState;
  constructor(state: FacadeState) {
    this[stateKey] = state;
  }
}

/**
 * Wraps a handler in a new capability proxy instance. Takes ownership of one reference to
 * `handler` (the instance releases it when disposed or collected).
 */
export function createProxy(handler: CapabilityHandler): object {
  const state = new FacadeState(handler, false);
  const facade = new globalThis.Proxy(new FacadeTarget(state), capabilityTraps);
  state.watch(facade);
  return facade;
}

// Result facades.

/** Where `capture` leaves the resolving functions of the promise being made (no closure per result). */
let capturedResolve: (value: unknown) => void = ignore;
let capturedReject: (error: unknown) => void = ignore;

function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * A call result: a native promise of the call's value. Its prototype (below) answers `constructor`
 * with `Promise`, so `await`, `then` and `Promise.all` treat it as a plain promise (and make plain
 * promises from it); reading `constructor` is also how the result learns that someone takes its
 * value ({@link ResultPromise.observe}), except while a session encodes values
 * (`encoding-scope.ts`).
 *
 * The promise resolves once the handler has settled and someone observed it, whichever comes last:
 * a result nobody awaits never rejects unhandled, and its value's capabilities and its own
 * reference stay the result's until it is disposed (docs/ownership.md). Its {@link FacadeState}
 * (ownership, bound methods) is made on first use: a result that is only awaited never needs one.
 * Every member is private, static or symbol-keyed: any string name is a pipelined method.
 */
export class ResultPromise extends Promise<unknown> {
  readonly #handler: ResultHandler;
  #state: FacadeState | undefined = undefined;
  /** The settlement, once the handler told it. */
  #settlement: Settlement | undefined = undefined;
  /** Whether someone awaited the result (or took its promise any other way). */
  #observed = false;
  /** The promise's resolving functions, until it resolved. */
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  /** Takes ownership of one reference to `handler`. */
  constructor(handler: ResultHandler) {
    super(capture);
    this.#handler = handler;
    this.#resolve = capturedResolve;
    this.#reject = capturedReject;
    // The slots must not keep this result (and what it settles with) reachable once it is dropped.
    capturedResolve = capturedReject = ignore;
    // The method bound to this result: no closure context per call (48 B instead of 104).
    handler.onSettled(this.#settled.bind(this));
  }

  /** The result's facade state, made on first use (`undefined` read on the prototype itself). */
  get [stateKey](): FacadeState {
    if (!(#handler in this)) return undefined as unknown as FacadeState;
    return (this.#state ??= new FacadeState(this.#handler, true));
  }

  /**
   * Someone takes the value of `value` (a result): `await` and `Promise.resolve` read
   * `constructor` (to see a plain promise), and so do `then`, `catch` and `finally` (for the
   * promise they make).
   */
  static observe(value: object): void {
    if (!(#handler in value) || value.#observed) return;
    value.#observed = true;
    if (value.#settlement !== undefined) value.#deliver(value.#settlement);
  }

  #settled(settlement: Settlement): void {
    // A result only needs the garbage-collection backstop when it turns out to be a capability;
    // watching every call result would make calls slower. Until it settles, the pending call keeps
    // the result reachable through its listener anyway. Watched, it is registered only if it still
    // holds its reference once this turn's microtasks have run (see `FacadeState.watch`).
    if (settlement.kind === 'capability' && !this.#state?.disposed) {
      this[stateKey].watch(this);
    }
    this.#settlement = settlement;
    if (this.#observed) this.#deliver(settlement);
  }

  /** Resolves the promise with the settlement (once settled and observed: exactly once). */
  #deliver(settlement: Settlement): void {
    const resolve = this.#resolve!;
    const reject = this.#reject!;
    this.#resolve = this.#reject = undefined;
    switch (settlement.kind) {
      case 'value': {
        // The caller owns the capabilities in the value it awaited.
        const value = settlement.value;
        takeCarriedCapabilities(value);
        applyConsumerOptions(value, this.#handler.consumerOptions);
        resolve(value);
        return;
      }
      case 'capability':
        resolve(awaitedProxy(this[stateKey], settlement.handler));
        return;
      default:
        // Whoever observed it handles the rejection (an `await`, a `then`); one that only read
        // `constructor` must not make it an unhandled one.
        promiseThen.call(this, undefined, ignore);
        reject(settlement.error);
    }
  }
}

const promiseThen = Promise.prototype.then;

/** The facade state of `result`, a {@link ResultPromise}. */
export function resultState(result: object): FacadeState {
  return (result as ResultPromise)[stateKey];
}

Object.defineProperties(ResultPromise.prototype, {
  constructor: {
    get(this: object) {
      if (!isEncoding()) ResultPromise.observe(this);
      return Promise;
    },
    configurable: true,
  },
  // Found here, so a lookup never reaches the pipelining proxy below.
  // biome-ignore lint/suspicious/noThenProperty: the result is a promise; this is the native `then`
  then: { value: Promise.prototype.then, writable: true, configurable: true },
  catch: { value: Promise.prototype.catch, writable: true, configurable: true },
  finally: { value: Promise.prototype.finally, writable: true, configurable: true },
  whenResolved: {
    get(this: object) {
      return whenResolved(resultState(this));
    },
    configurable: true,
  },
  [Symbol.dispose]: {
    get(this: object) {
      const state = resultState(this);
      return () => state.dispose();
    },
    configurable: true,
  },
  [Symbol.toStringTag]: { value: 'Result', configurable: true },
});

/**
 * Below a result's own prototype: every string name the prototype lacks is a pipelined method (or
 * the local answer for a name a proxy never sends); the trap's `receiver` is the result. Its
 * target inherits from `Promise.prototype`, so `result instanceof Promise` holds.
 */
const pipelining = new globalThis.Proxy(Object.create(Promise.prototype) as object, {
  get(target, key, receiver) {
    if (typeof key !== 'string') return undefined;
    const state = stateOf(receiver as object);
    return state === undefined ? Reflect.get(target, key, receiver) : method(state, key, receiver as object);
  },
  // A string name is a method, never a field. Symbol-keyed fields are the runtime's own bookkeeping
  // (Node's async hooks tag every promise): they become the result's own, as on any promise.
  set(_target, key, value, receiver) {
    if (typeof key === 'string') return false;
    return Reflect.defineProperty(receiver as object, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  },
  defineProperty: refuse,
  deleteProperty: refuse,
  has(target, key) {
    if (typeof key === 'string') return !absentNames.has(key);
    return Reflect.has(target, key);
  },
});
Object.setPrototypeOf(ResultPromise.prototype, pipelining);

/**
 * Wraps a call's result handler in a new result facade. Takes ownership of one reference.
 */
export function createResult(handler: ResultHandler): object {
  return new ResultPromise(handler);
}
