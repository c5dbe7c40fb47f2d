import type { CallScope } from '../context/call-context.ts';
import { MethodNotFoundError } from '../errors.ts';
import type { CapabilityHandler, ResultHandler, Settlement } from '../seam/capability-handler.ts';
import { FailedResult } from '../seam/failed-result.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';
import type { ConsumerOptions } from '../streams/consumer-options.ts';
import { LocalHandler } from './local-handler.ts';
import { targetName } from './method-lookup.ts';
import { PromiseView, pendingPromiseOf } from './promise-view.ts';

/**
 * A new facet of `inner` allowing only `methods`, with one reference owned by the caller; it takes
 * ownership of the caller's reference to `inner`. A facet of a promise that has not resolved is a
 * promise itself ({@link FacetPromiseHandler}).
 */
export function newFacet(inner: CapabilityHandler, methods: ReadonlySet<string>): FacetHandler {
  const name = inner instanceof LocalHandler ? `a facet of ${targetName(inner.target)}` : 'this facet';
  const promise = pendingPromiseOf(inner);
  const handler =
    promise === undefined
      ? new FacetHandler(inner, methods, name)
      : new FacetPromiseHandler(inner, methods, name, promise);
  handler.retain();
  return handler;
}

/**
 * A facet: a capability that reaches its target only through the methods it names (the devlog's
 * winnowed capability; docs/semantics.md#bounded-authority). A call to any other method fails with
 * `MethodNotFoundError` before it reaches the target, whoever makes it: the facet is the handler a
 * session exports, so a remote caller's call is refused here, on the host, at dispatch, whatever its
 * own proxy claims.
 *
 * Ownership: the facet holds one reference to the handler it narrows, released when the facet's own
 * last reference goes. It never shortens to that handler (`shorten()` is the facet itself): a
 * session that sends the facet sends the facet, never the wider capability behind it.
 *
 * Make facets with {@link newFacet}: a facet of a pending promise must be a {@link FacetPromiseHandler}.
 */
export class FacetHandler implements CapabilityHandler {
  readonly #inner: CapabilityHandler;
  readonly #methods: ReadonlySet<string>;
  readonly #name: string;
  #references = 0;

  /**
   * @param inner - the handler narrowed; the facet takes ownership of one reference to it
   * @param methods - the only method names calls may use
   * @param name - what error messages call the target
   */
  constructor(inner: CapabilityHandler, methods: ReadonlySet<string>, name: string) {
    this.#inner = inner;
    this.#methods = methods;
    this.#name = name;
  }

  call(method: string, args: readonly unknown[], context?: CallScope): ResultHandler {
    // Checked before anything else: an unlisted name never reaches the target, not even to fail there.
    if (!this.#methods.has(method)) {
      const allowed = [...this.#methods].map((name) => `'${name}'`).join(', ') || 'no method';
      const error = new MethodNotFoundError(method, this.#name, `this facet allows only ${allowed}`);
      abortStreamsIn(args, error);
      return new FailedResult(error);
    }
    return this.#inner.call(method, args, context);
  }

  whenResolved(): Promise<void> {
    return this.#inner.whenResolved();
  }

  retain(): void {
    this.#references++;
  }

  release(): void {
    if (--this.#references === 0) this.lastReleased();
  }

  /** The last reference went: the narrowed handler's reference is given back. */
  protected lastReleased(): void {
    this.#inner.release();
  }

  shorten(): CapabilityHandler {
    return this;
  }

  onRevoked(listener: (error: unknown) => void): () => void {
    return this.#inner.onRevoked?.(listener) ?? noop;
  }
}

/**
 * A facet of a promise that has not resolved (a `Resolver`'s proxy, a call result, a promise
 * import): a promise itself, which a session sends as a `SenderPromise`, so a remote holder's
 * `whenResolved()` waits and rejects as the promise does. It resolves to a facet of what the promise
 * resolves to, allowing the same methods (promise-view.ts): no holder gets the wider capability,
 * here or at the receiver of the `Resolve`. Calls allowed go to the promise, in order, as on the
 * facet of a capability; others are refused at once.
 */
export class FacetPromiseHandler extends FacetHandler implements ResultHandler {
  consumerOptions: ConsumerOptions | undefined = undefined;
  readonly #view: PromiseView;

  /**
   * @param inner - the handler narrowed (a promise, or a handler forwarding to one); the facet takes
   *   ownership of one reference to it
   * @param promise - `inner`, or the promise it forwards to, whose settlement the facet follows
   */
  constructor(inner: CapabilityHandler, methods: ReadonlySet<string>, name: string, promise: ResultHandler) {
    super(inner, methods, name);
    this.#view = new PromiseView(promise, (handler) => newFacet(handler, methods));
  }

  override whenResolved(): Promise<void> {
    return this.#view.whenResolved();
  }

  /** Once resolved, the facet of the resolution (a session sends that, never the promise's target). */
  override shorten(): CapabilityHandler {
    return this.#view.shorten(this);
  }

  onSettled(listener: (settlement: Settlement) => void): () => void {
    return this.#view.onSettled(listener);
  }

  protected override lastReleased(): void {
    this.#view.release();
    super.lastReleased();
  }
}

function noop(): void {}
