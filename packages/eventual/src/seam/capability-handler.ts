import type { CallScope } from '../context/call-context.ts';
import type { ConsumerOptions } from '../streams/consumer-options.ts';

/**
 * The seam behind every proxy. A proxy instance is a thin facade over a {@link CapabilityHandler};
 * the handler decides what a call means: dispatch to a local object (this package), queue until a
 * promise resolves (this package), or send a message over a session (`@msc/session`). Sessions
 * implement these two interfaces to back the very same `Proxy<I>` type with a remote object.
 *
 * Ownership rules (every implementation must follow them):
 * - A handler is reference counted. Whoever obtains a handler from `call()` or from a settlement
 *   owns one reference and gives it back with `release()`. `retain()` adds one.
 * - `call()` borrows `args`: the caller keeps ownership of the capabilities inside them; the handler
 *   makes whatever copy it needs (a local dispatch copies the proxies, a session serializes them)
 *   before `call()` returns. The callee's copies are released when its call settles (a callee
 *   that keeps one copies it again).
 * - A settlement owns what it carries: a capability settlement one reference, a value settlement
 *   the proxies inside the value (a local method's returned proxies moved there). Whoever consumes
 *   the value (the caller awaiting it, a session sending it as a return) takes them over.
 * - Calls made on one handler are delivered in the order `call()` was invoked (instance order,
 *   docs/semantics.md#instance-order). A handler that forwards to another forwards its queued calls
 *   first, in order, before any later call, so order holds along a chain of forwards.
 * - `call()` never throws and never runs target code in the caller's stack; failures arrive
 *   through the result's settlement.
 * - `call()`'s `context` (docs/semantics.md#call-context) is the call's: a handler that forwards
 *   the call forwards it with it, a handler that queues the call keeps it with the call, a local
 *   dispatch skips a call whose context was cancelled before it ran and makes it the method's
 *   `callContext()`, and a session sends what it carries and tells the peer when it is cancelled.
 *   Whoever made the context ends it; handlers only listen to it (and stop when the call settles).
 *   `undefined` (no context) is the common case and must stay as cheap as before.
 */

/** How an eventual call or promise ended. */
export type Settlement =
  /** Plain data (which may contain proxies, owned by the receiver of the settlement). */
  | { readonly kind: 'value'; readonly value: unknown }
  /** A capability; the settlement owns one reference to `handler`. */
  | { readonly kind: 'capability'; readonly handler: CapabilityHandler }
  /** A failure; `error` is what the target threw, or why the call could not complete. */
  | { readonly kind: 'error'; readonly error: unknown };

/** What stands behind a proxy: a local object, a promise, a remote import, a broken reference. */
export interface CapabilityHandler {
  /**
   * Delivers a call. Returns the handler of the call's result, with one reference owned by the
   * caller. Borrows `args` (see the ownership rules above).
   */
  call(method: string, args: readonly unknown[], context?: CallScope): ResultHandler;
  /**
   * Resolves when this handler points at a settled capability (a local object, a remote import),
   * rejects when it is broken or turned out to be data.
   */
  whenResolved(): Promise<void>;
  /** Adds one reference. */
  retain(): void;
  /** Drops one reference; the last one releases what the handler holds. */
  release(): void;
  /**
   * The handler at the end of this handler's forwarding chain as far as it is known now (itself
   * when it does not forward). Sessions use it to send a capability that came home as the original
   * object instead of a proxy of a proxy.
   */
  shorten(): CapabilityHandler;
  /**
   * Optional: calls `listener` once, with the error later calls fail with, when this handler is
   * revoked while it lives (`revocable()`, or an import whose exporter revoked it), or at the next
   * microtask when it already is. Returns a function that removes the listener. Sessions use it to
   * tell the peers they exported the handler to (docs/semantics.md#revocation).
   */
  onRevoked?(listener: (error: unknown) => void): () => void;
}

/** The handler of a call's result: a capability promise that also settles with a value. */
export interface ResultHandler extends CapabilityHandler {
  /**
   * Calls `listener` once with the settlement (synchronously when already settled). A settlement
   * that carries a capability keeps its reference for the result handler: the listener must
   * `retain()` what it keeps. Returns a function that removes the listener (nothing once it ran):
   * a watcher that stops caring before the settlement (a session whose export of the promise was
   * released) must not keep itself reachable from a long-lived promise.
   */
  onSettled(listener: (settlement: Settlement) => void): () => void;
  /**
   * Consumer settings requested before the result resolved (docs/semantics.md#streaming: a caller
   * may set a sequence's `capacity` or `batchSize` before the sequence arrives). Whoever
   * materializes a sequence from this result applies them.
   */
  consumerOptions: ConsumerOptions | undefined;
}
