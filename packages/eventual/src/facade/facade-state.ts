import type { CallOptions } from '../context/call-context.ts';
import { callWithContext } from '../context/context-calls.ts';
import { inheritedContext } from '../context/current-call.ts';
import { DisposedError, type DisposedReason } from '../errors.ts';
import type { CapabilityHandler, ResultHandler } from '../seam/capability-handler.ts';
import { FailedResult } from '../seam/failed-result.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';
import { disposeStreamEnd } from '../streams/stream-endpoint.ts';

/**
 * What one proxy instance or call result holds (`facade.ts` makes the objects around it): its
 * handler, how it owns its reference, its bound methods.
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
  /** The first name a method was read by, and that bound method (see `facade.ts`). */
  firstMethodName: string | undefined = undefined;
  firstMethod: ((...args: unknown[]) => unknown) | undefined = undefined;
  /** The bound methods of later names, made with the second. */
  methods: Map<string, (...args: unknown[]) => unknown> | undefined = undefined;
  /** The options of a view made by `withOptions()`, given to each call it makes. */
  options: CallOptions | undefined = undefined;
  /** Whether the collector watches this instance (see {@link FacadeState.watch}). */
  #watched = false;

  constructor(handler: CapabilityHandler, isResult: boolean) {
    this.handler = handler;
    this.isResult = isResult;
  }

  /** Whether disposing (or collecting) this instance releases a reference. */
  get holdsReference(): boolean {
    return this.ownership !== 'view' && this.awaited === undefined;
  }

  /** Sends a call through this instance; the caller wraps the returned handler in a result. */
  call(method: string, args: unknown[]): ResultHandler {
    if (this.disposed) {
      const error = new DisposedError(method, this.reason);
      abortStreamsIn(args, error);
      return new FailedResult(error);
    }
    if (this.awaited !== undefined) return this.awaited.call(method, args);
    // Using a fresh proxy makes it its holder's own reference.
    if (this.ownership === 'floating') this.ownership = 'owned';
    const options = this.options;
    const inherited = inheritedContext();
    // The common case: no options and no call context to inherit; nothing more is made.
    if (options === undefined && inherited === undefined) return this.handler.call(method, args);
    return callWithContext(this.handler, method, args, inherited, options);
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
    this.unwatch();
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
    this.unwatch();
    return true;
  }

  /**
   * Has the collector release this instance's reference if the program drops `facade` without
   * disposing it. Registration waits until the turn's microtasks have run (see
   * {@link scheduleRegistration}), and an instance that no longer holds a reference by then is never
   * registered.
   */
  watch(facade: object): void {
    pending.push(facade, this);
    // A turn whose microtasks never run out (a loop of local calls awaits in microtasks only) must not
    // hold all it made: past the bound, the waiting instances are registered (or, disposed, let go) now.
    if (pending.length >= maximumPending * 2) registerWatched();
    else if (!registrationScheduled) {
      scheduleRegistration();
      registrationScheduled = true;
    }
  }

  /** The collector no longer needs to watch this instance: it was disposed, or its reference moved away. */
  unwatch(): void {
    if (!this.#watched) return;
    this.#watched = false;
    collector.unregister(this);
  }

  /** Registers a watched instance with the collector, when it still holds a reference (see {@link watch}). */
  registerIfHeld(facade: object): void {
    if (this.disposed || !this.holdsReference) return;
    this.#watched = true;
    collector.register(facade, this, this);
  }
}

/**
 * Backstop release for proxy instances the program forgot to dispose. The held value is the state,
 * which never references the facade, so registration does not keep the facade alive.
 *
 * Why registration waits until the turn's microtasks have run: V8 keeps a registration's record in its old generation
 * until a full collection, and the record holds the state (and so its handler) alive through every
 * minor collection before that, even once unregistered. Registering each instance at once made a
 * pipelined call chain about twice as slow, most of it garbage collection; most instances (a call's
 * result, a capability returned at once) are disposed within the turn that made them.
 */
const collector = new FinalizationRegistry<FacadeState>((state) => {
  if (state.disposed) return;
  state.disposed = true;
  if (state.holdsReference) state.handler.release();
});

/**
 * Facades and their states (alternating) watched this turn and not yet registered. Holding them
 * here keeps a facade dropped in its own turn alive until the turn's end (or until
 * {@link maximumPending} wait), when it is registered and the collector takes over.
 */
let pending: (object | FacadeState)[] = [];
/** At most this many instances wait; the next is registered with them at once. */
const maximumPending = 512;
let registrationScheduled = false;

/** A global `process`, as far as {@link scheduleRegistration} reads it (each part possibly missing). */
const nodeProcess = (globalThis as { process?: { versions?: { node?: unknown }; nextTick?: unknown } | null })
  .process;
const nextTick =
  typeof nodeProcess?.versions?.node === 'string' && typeof nodeProcess.nextTick === 'function'
    ? (nodeProcess.nextTick as (task: () => void) => void)
    : undefined;
const resolved = Promise.resolve();

/**
 * Runs {@link registerWatched} once the turn's microtasks have run, so a result disposed by the
 * code that awaited it is never registered. On Node (recognised by `process.versions.node`, not by a
 * polyfill's `nextTick`): a microtask that queues a `process.nextTick`, which Node runs once the
 * microtask queue is empty (a `nextTick` queued from an I/O callback directly would run before the
 * microtasks it queued). Elsewhere a zero timeout, or a microtask where there are no timers (an
 * audio worklet): {@link maximumPending} bounds what waits when a timer is slow (a hidden tab).
 */
const scheduleRegistration: () => void =
  nextTick !== undefined
    ? () => {
        void resolved.then(tickRegistration);
      }
    : typeof globalThis.setTimeout === 'function'
      ? () => {
          setTimeout(registerWatched, 0);
        }
      : () => {
          void resolved.then(registerWatched);
        };

function tickRegistration(): void {
  nextTick!(registerWatched);
}

/** Registers the instances waiting that still hold a reference (the turn ended, or too many wait). */
function registerWatched(): void {
  const batch = pending;
  pending = [];
  registrationScheduled = false;
  for (let index = 0; index < batch.length; index += 2) {
    (batch[index + 1] as FacadeState).registerIfHeld(batch[index]!);
  }
}

/**
 * The state of a facade lives on the facade itself under this symbol: on a capability proxy's
 * hidden target (its `get` trap hands it out), as an own field of a call result (a promise). No
 * weak map on the hot path.
 */
export const stateKey: unique symbol = Symbol('msc.facadeState');

/** The state of a facade, or `undefined` when `value` is not one. */
export function stateOf(value: object): FacadeState | undefined {
  return (value as { [stateKey]?: FacadeState })[stateKey];
}
