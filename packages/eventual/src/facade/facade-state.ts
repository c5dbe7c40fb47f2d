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
  methods: Map<string, (...args: unknown[]) => unknown> | undefined = undefined;
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

/**
 * Backstop release for proxy instances the program forgot to dispose. The held value is the state,
 * which never references the facade, so registration does not keep the facade alive.
 */
export const collector = new FinalizationRegistry<FacadeState>((state) => {
  if (state.disposed) return;
  state.disposed = true;
  if (state.holdsReference) state.handler.release();
});

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
