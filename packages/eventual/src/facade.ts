import { abortStreamsIn } from './abort-streams.ts';
import { DisposedError } from './errors.ts';
import type { CapabilityHandler, ConsumerOptions, ResultHandler, Settlement } from './handler.ts';
import { settledResult } from './promise-handler.ts';

/**
 * Proxy instances are JavaScript `Proxy` facades over a handler (see handler.ts). A facade owns one
 * reference to its handler and gives it back on `Symbol.dispose` or, as a backstop, when it is
 * garbage collected. Two kinds exist:
 * - a capability facade (`Proxy<I>`): any string property is a method that calls the handler; it is
 *   deliberately not thenable, so `await` on it never loops;
 * - a result facade (what a call returns): the same, plus `then`/`catch`/`finally` (the call's
 *   value, or a fresh capability facade when the result is a capability) and a consumer view for
 *   sequences (`for await`, `capacity`, `batchSize`).
 */

/** Marks objects that accept consumer settings (sequences, byte streams). */
export const consumerSettings: unique symbol = Symbol('msc.consumerSettings');

/**
 * Marks the ends of sequences and byte streams: they are moved, never walked or copied, when they
 * travel in a value (a sequence has one consumer and one producer).
 */
export const streamEndpoint: unique symbol = Symbol('msc.streamEndpoint');

/** Implemented by sequences and byte streams so a result facade can apply early settings. */
export interface AcceptsConsumerOptions {
  [consumerSettings](options: ConsumerOptions): void;
}

/**
 * Ownership of a proxy instance's reference (see `handOff()` for why "floating" exists):
 * - `owned`: the instance holds one reference, released on dispose or garbage collection;
 * - `floating`: fresh from `proxy()`, held until the instance is first used or shared; the first
 *   time it is passed in arguments or returned, the reference moves into that copy;
 * - `view`: its floating reference moved away; it still reaches the object while someone else keeps
 *   it alive, and holds nothing itself.
 */
type Ownership = 'owned' | 'floating' | 'view';

class FacadeState {
  readonly handler: CapabilityHandler;
  readonly isResult: boolean;
  disposed = false;
  ownership: Ownership = 'owned';
  methods: Map<string, (...args: unknown[]) => unknown> | undefined = undefined;
  value: Promise<unknown> | undefined = undefined;

  constructor(handler: CapabilityHandler, isResult: boolean) {
    this.handler = handler;
    this.isResult = isResult;
  }

  invoke(method: string, args: unknown[]): unknown {
    if (this.disposed) {
      const error = new DisposedError(method);
      abortStreamsIn(args, error);
      return createResult(settledResult({ kind: 'error', error }));
    }
    // Using a fresh proxy makes it its holder's own reference.
    if (this.ownership === 'floating') this.ownership = 'owned';
    return createResult(this.handler.call(method, args));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    collector.unregister(this);
    if (this.ownership !== 'view') this.handler.release();
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
  if (state.ownership !== 'view') state.handler.release();
});

/**
 * The state of a facade lives on the facade's own (hidden) target object under this symbol, and a
 * facade hands it out through its `get` trap: no weak map on the hot path.
 */
const stateKey: unique symbol = Symbol('msc.facadeState');

function stateOf(value: object): FacadeState | undefined {
  return (value as { [stateKey]?: FacadeState })[stateKey];
}

function method(state: FacadeState, name: string): (...args: unknown[]) => unknown {
  let methods = state.methods;
  if (methods === undefined) methods = state.methods = new Map();
  let bound = methods.get(name);
  if (bound === undefined) {
    bound = (...args: unknown[]) => state.invoke(name, args);
    methods.set(name, bound);
  }
  return bound;
}

function whenResolved(state: FacadeState): () => Promise<void> {
  return () => {
    if (state.disposed) return Promise.reject(new DisposedError('whenResolved'));
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
          applyConsumerOptions(settlement.value, handler.consumerOptions);
          resolve(settlement.value);
          return;
        case 'capability':
          settlement.handler.retain();
          resolve(createProxy(settlement.handler));
          return;
        default:
          reject(settlement.error);
      }
    });
  });
  return state.value;
}

function applyConsumerOptions(value: unknown, options: ConsumerOptions | undefined): void {
  if (options === undefined || typeof value !== 'object' || value === null) return;
  const apply = (value as Partial<AcceptsConsumerOptions>)[consumerSettings];
  if (typeof apply === 'function') apply.call(value, options);
}

const capabilityTraps: ProxyHandler<object> = {
  get(target, key) {
    const state = (target as { [stateKey]: FacadeState })[stateKey];
    if (typeof key === 'string') {
      if (key === 'then') return undefined;
      if (key === 'whenResolved') return whenResolved(state);
      return method(state, key);
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
    return typeof key === 'string' || key === Symbol.dispose;
  },
};

const resultTraps: ProxyHandler<object> = {
  get(target, key) {
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
          return method(state, key);
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

/**
 * A new facade of the same kind over the same handler (one more reference): how capabilities are
 * copied into the values a local call passes on.
 */
export function copyFacade(value: object): object {
  const state = stateOf(value)!;
  if (state.disposed)
    return createResult(settledResult({ kind: 'error', error: new DisposedError('(copy)') }));
  // A fresh proxy's reference moves into the copy; otherwise the copy gets one of its own.
  if (!state.sink()) state.handler.retain();
  return state.isResult ? createResult(state.handler as ResultHandler) : createProxy(state.handler);
}

/** Whether `value` is a proxy instance or a call result of this package (or of a session). */
export function isProxy(value: unknown): boolean {
  return typeof value === 'object' && value !== null && stateOf(value) !== undefined;
}

/**
 * The handler behind a proxy instance or call result, or `undefined` for anything else. Does not
 * add a reference: `retain()` what you keep. Throws {@link DisposedError} for a disposed instance.
 */
export function handlerOf(value: unknown): CapabilityHandler | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const state = stateOf(value);
  if (state === undefined) return undefined;
  if (state.disposed) throw new DisposedError('(pass as a capability)');
  return state.handler;
}

/**
 * Makes a proxy instance's reference floating (see `handOff()`): the first time the instance is
 * shared, its reference moves to the receiver.
 */
export function makeFloating(value: object): void {
  const state = stateOf(value);
  if (state !== undefined && state.ownership === 'owned') state.ownership = 'floating';
}

/**
 * Moves a floating reference out of a proxy instance being shared (a session calls it after
 * exporting the instance, whose export holds its own reference). Returns whether it did.
 */
export function sinkFloating(value: object): boolean {
  const state = stateOf(value);
  if (state === undefined || !state.sink()) return false;
  state.handler.release();
  return true;
}

/**
 * The handler behind a proxy instance, with one reference for the caller: a fresh (floating)
 * instance's reference moves to the caller, otherwise a new one is added.
 *
 * @throws DisposedError for a disposed instance
 */
export function takeReference(value: object): CapabilityHandler {
  const state = stateOf(value);
  if (state === undefined) throw new TypeError('not a proxy');
  if (state.disposed) throw new DisposedError('(pass as a capability)');
  if (!state.sink()) state.handler.retain();
  return state.handler;
}

/** Whether `value` is a call result facade (thenable), as opposed to a capability proxy. */
export function isResultFacade(value: object): boolean {
  return stateOf(value)?.isResult ?? false;
}

/** Whether a proxy instance has been disposed. */
export function isDisposed(value: object): boolean {
  return stateOf(value)?.disposed ?? false;
}
