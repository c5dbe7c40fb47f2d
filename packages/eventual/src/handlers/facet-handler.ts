import { MethodNotFoundError } from '../errors.ts';
import type { CapabilityHandler, ResultHandler } from '../seam/capability-handler.ts';
import { FailedResult } from '../seam/failed-result.ts';
import { abortStreamsIn } from '../streams/abort-streams.ts';

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

  call(method: string, args: readonly unknown[]): ResultHandler {
    // Checked before anything else: an unlisted name never reaches the target, not even to fail there.
    if (!this.#methods.has(method)) {
      const allowed = [...this.#methods].map((name) => `'${name}'`).join(', ') || 'no method';
      const error = new MethodNotFoundError(method, this.#name, `this facet allows only ${allowed}`);
      abortStreamsIn(args, error);
      return new FailedResult(error);
    }
    return this.#inner.call(method, args);
  }

  whenResolved(): Promise<void> {
    return this.#inner.whenResolved();
  }

  retain(): void {
    this.#references++;
  }

  release(): void {
    if (--this.#references === 0) this.#inner.release();
  }

  shorten(): CapabilityHandler {
    return this;
  }

  onRevoked(listener: (error: unknown) => void): () => void {
    return this.#inner.onRevoked?.(listener) ?? noop;
  }
}

function noop(): void {}
