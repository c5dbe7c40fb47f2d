import type { CallOptions } from '../context/call-context.ts';
import { callWithContext } from '../context/context-calls.ts';
import { inheritedContext } from '../context/current-call.ts';
import { DisposedError, type DisposedReason } from '../errors.ts';
import type { CapabilityHandler, ResultHandler, Settlement } from '../seam/capability-handler.ts';
import { FailedResult } from '../seam/failed-result.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';
import { applyConsumerOptions, disposeStreamEnd } from '../streams/stream-endpoint.ts';
import { takeCarriedCapabilities } from './carried-capabilities.ts';
import { absentNames, localAnswer, localNames } from './local-names.ts';

/**
 * Proxy instances are JavaScript `Proxy` facades over a handler (see `seam/capability-handler.ts`).
 * A facade owns one reference to its handler and gives it back on `Symbol.dispose` or, as a
 * backstop, when it is garbage collected. Two kinds exist:
 * - a capability facade (`Proxy<I>`): any string property is a method that calls the handler,
 *   except the names JavaScript probes on its own (`local-names.ts`), which it answers locally; it
 *   is deliberately not thenable, so `await` on it never loops;
 * - a result facade (what a call returns): the same, plus `then`/`catch`/`finally` (the call's
 *   value, or, when the result is a capability, a capability facade that took the result's
 *   reference) and a consumer view for sequences (`for await`, `capacity`, `batchSize`).
 */

/**
 * Ownership of a proxy instance's reference (docs/ownership.md):
 * - `owned`: the instance holds one reference, released on dispose or garbage collection;
 * - `floating`: made by `handOff()`, held until the instance is first used or shared; the first
 *   time it is passed in arguments, the reference moves into that copy;
 * - `view`: its floating reference moved away; it still reaches the object while someone else keeps
 *   it alive, and holds nothing itself.
 * Returning an instance from a method, or a call releasing its arguments when it settles, ends the
 * instance (`disposed`, with the `reason` its later calls report).
 */
type Ownership = 'owned' | 'floating' | 'view';

/** What one facade holds: its handler, how it owns its reference, its bound methods. */
export class FacadeState {
  readonly handler: CapabilityHandler;
  readonly isResult: boolean;
  disposed = false;
  /** Why the instance is disposed: what its later calls say. */
  reason: DisposedReason = 'disposed';
  ownership: Ownership = 'owned';
  /**
   * A result that `await` turned into a capability proxy: its reference moved into that proxy (one
   * reference, one dispose), and its calls go there.
   */
  awaited: FacadeState | undefined = undefined;
  methods: Map<string, (...args: unknown[]) => unknown> | undefined = undefined;
  value: Promise<unknown> | undefined = undefined;
  /** The options of a view made by `withOptions()`, given to each call it makes. */
  options: CallOptions | undefined = undefined;

  constructor(handler: CapabilityHandler, isResult: boolean) {
    this.handler = handler;
    this.isResult = isResult;
  }

  /** Whether disposing (or collecting) this instance releases a reference. */
  get holdsReference(): boolean {
    return this.ownership !== 'view' && this.awaited === undefined;
  }

  invoke(method: string, args: unknown[]): unknown {
    if (this.disposed) {
      const error = new DisposedError(method, this.reason);
      abortStreamsIn(args, error);
      return createResult(new FailedResult(error));
    }
    if (this.awaited !== undefined) return this.awaited.invoke(method, args);
    // Using a fresh proxy makes it its holder's own reference.
    if (this.ownership === 'floating') this.ownership = 'owned';
    const options = this.options;
    const inherited = inheritedContext();
    // The common case: no options and no call context to inherit; nothing more is made.
    if (options === undefined && inherited === undefined)
      return createResult(this.handler.call(method, args));
    return createResult(callWithContext(this.handler, method, args, inherited, options));
  }

  dispose(): void {
    this.end('disposed');
  }

  /**
   * Ends the instance: later calls fail with a {@link DisposedError} naming `reason`. Returns
   * whether the instance held a reference, which the caller now owns (a return moves it into the
   * result) or releases (`release`).
   */
  end(reason: DisposedReason, release = reason !== 'returned'): boolean {
    if (this.disposed) return false;
    this.disposed = true;
    this.reason = reason;
    collector.unregister(this);
    // A result that is (or will be) a stream end ends with it when its holder disposes it:
    // `using items = remote.list()` (a result returned or lent moves on instead).
    if (this.isResult && reason === 'disposed') {
      (this.handler as ResultHandler).onSettled((settlement) => {
        if (settlement.kind === 'value') disposeStreamEnd(settlement.value);
      });
    }
    const held = this.holdsReference;
    if (held && release) this.handler.release();
    return held;
  }

  /** Moves a floating reference away (it now belongs to a copy); whether there was one. */
  sink(): boolean {
    if (this.ownership !== 'floating' || this.disposed) return false;
    this.ownership = 'view';
    collector.unregister(this);
    return true;
  }
}

// Backstop release for proxy instances the program forgot to dispose. The held value is the state,
// which never references the facade, so registration does not keep the facade alive.
const collector = new FinalizationRegistry<FacadeState>((state) => {
  if (state.disposed) return;
  state.disposed = true;
  if (state.holdsReference) state.handler.release();
});

/**
 * The state of a facade lives on the facade's own (hidden) target object under this symbol, and a
 * facade hands it out through its `get` trap: no weak map on the hot path.
 */
const stateKey: unique symbol = Symbol('msc.facadeState');

/** The state of a facade, or `undefined` when `value` is not one. */
export function stateOf(value: object): FacadeState | undefined {
  return (value as { [stateKey]?: FacadeState })[stateKey];
}

/**
 * How many bound methods one facade remembers. A program that reads names it was given (a command
 * typed by a player, say) must not grow a proxy without bound; past this, a method is bound afresh
 * on each read, which is only a little slower.
 */
const maximumBoundMethods = 64;

/**
 * What a string property of a facade is: the bound method that calls the handler, made once per
 * name and facade, or the local answer for a name a proxy never sends (see `local-names.ts`).
 * Local names are checked only when a name is not bound yet, so a repeated call costs one map hit.
 */
function method(state: FacadeState, name: string, receiver: object): unknown {
  let methods = state.methods;
  if (methods === undefined) methods = state.methods = new Map();
  let bound = methods.get(name);
  if (bound === undefined) {
    if (localNames.has(name)) return localAnswer(name, receiver);
    bound = (...args: unknown[]) => state.invoke(name, args);
    if (methods.size < maximumBoundMethods) methods.set(name, bound);
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

function settledValue(state: FacadeState): Promise<unknown> {
  if (state.value !== undefined) return state.value;
  const handler = state.handler as ResultHandler;
  state.value = new Promise<unknown>((resolve, reject) => {
    handler.onSettled((settlement: Settlement) => {
      switch (settlement.kind) {
        case 'value':
          // The caller owns the capabilities in the value it awaited.
          takeCarriedCapabilities(settlement.value);
          applyConsumerOptions(settlement.value, handler.consumerOptions);
          resolve(settlement.value);
          return;
        case 'capability':
          resolve(awaitedProxy(state, settlement.handler));
          return;
        default:
          reject(settlement.error);
      }
    });
  });
  return state.value;
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
  collector.unregister(state);
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

const resultTraps: ProxyHandler<object> = {
  get(target, key, receiver) {
    const state = (target as { [stateKey]: FacadeState })[stateKey];
    if (typeof key === 'string') {
      switch (key) {
        case 'then':
          return (onFulfilled?: (value: unknown) => unknown, onRejected?: (error: unknown) => unknown) =>
            settledValue(state).then(onFulfilled, onRejected);
        case 'catch':
          return (onRejected?: (error: unknown) => unknown) => settledValue(state).catch(onRejected);
        case 'finally':
          return (onFinally?: () => void) => settledValue(state).finally(onFinally);
        case 'whenResolved':
          return whenResolved(state);
        case 'capacity':
        case 'batchSize':
          return (state.handler as ResultHandler).consumerOptions?.[key];
        default:
          return method(state, key, receiver);
      }
    }
    if (key === stateKey) return state;
    if (key === Symbol.dispose) return () => state.dispose();
    if (key === Symbol.asyncIterator) return () => deferredIterator(state);
    if (key === Symbol.toStringTag) return 'Result';
    return undefined;
  },
  set(target, key, value) {
    if (key !== 'capacity' && key !== 'batchSize') return false;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new RangeError(`${key} must be a positive integer, got ${String(value)}`);
    }
    const state = (target as { [stateKey]: FacadeState })[stateKey];
    const handler = state.handler as ResultHandler;
    const options = (handler.consumerOptions = { ...handler.consumerOptions, [key]: value });
    // Already arrived? Apply at once; otherwise whoever materializes the sequence applies it.
    handler.onSettled((settlement) => {
      if (settlement.kind === 'value') applyConsumerOptions(settlement.value, options);
    });
    return true;
  },
  defineProperty: refuse,
  deleteProperty: refuse,
};

function refuse(): boolean {
  return false;
}

/**
 * `for await` on a call result that will be a sequence: the first `next()` is posted before the
 * sequence has arrived; it waits for the value and then delegates to the sequence's own iterator.
 */
function deferredIterator(state: FacadeState): AsyncIterator<unknown> {
  let inner: AsyncIterator<unknown> | undefined;
  const open = async (): Promise<AsyncIterator<unknown>> => {
    if (inner !== undefined) return inner;
    const value = await settledValue(state);
    const iterate = (value as Partial<AsyncIterable<unknown>> | null)?.[Symbol.asyncIterator];
    if (typeof iterate !== 'function')
      throw new TypeError('the call result is not iterable: it is not a sequence');
    inner = iterate.call(value);
    return inner;
  };
  return {
    next: async () => (await open()).next(),
    return: async (value?: unknown) => {
      const iterator = await open();
      return iterator.return ? iterator.return(value) : { done: true, value };
    },
  };
}

/**
 * Wraps a handler in a new capability proxy instance. Takes ownership of one reference to
 * `handler` (the instance releases it when disposed or collected).
 */
export function createProxy(handler: CapabilityHandler): object {
  return createFacade(handler, false, capabilityTraps);
}

/**
 * Wraps a call's result handler in a new result facade. Takes ownership of one reference.
 */
export function createResult(handler: ResultHandler): object {
  return createFacade(handler, true, resultTraps);
}

/**
 * The hidden target of a facade. A class (not a plain object) so that serializers, which look at
 * the prototype, never mistake a proxy for plain data.
 */
class FacadeTarget {
  readonly [stateKey]: FacadeState;
  constructor(state: FacadeState) {
    this[stateKey] = state;
  }
}

function createFacade(handler: CapabilityHandler, isResult: boolean, traps: ProxyHandler<object>): object {
  const state = new FacadeState(handler, isResult);
  const target = new FacadeTarget(state);
  const facade = new globalThis.Proxy(target, traps);
  if (!isResult) {
    collector.register(facade, state, state);
  } else {
    // A result only needs the garbage-collection backstop when it turns out to be a capability;
    // registering every call result would make calls several times slower. Until it settles, the
    // pending call keeps the facade reachable through this listener anyway.
    (handler as ResultHandler).onSettled((settlement) => {
      if (settlement.kind === 'capability' && !state.disposed) collector.register(facade, state, state);
    });
  }
  return facade;
}
