import { NotCapabilityError } from '@msc/eventual';
import {
  type CapabilityHandler,
  describeValue,
  type ResultHandler,
  type Settlement,
} from '@msc/eventual/handler';
import type { ExportTable } from './export-table.ts';
import { PromiseImportHandler } from './promise-import.ts';
import { QuestionHandler } from './remote-handlers.ts';
import { type Descriptor, DescriptorKind, MessageType, ResolveKind } from './wire/protocol.ts';

/** What the promise exports need from their session. */
export interface PromiseExportPort {
  /** Queues a message (see `Outbox.send`). */
  send(message: unknown[]): void;
  /** Queues a message carrying an error (see `Outbox.sendWithError`). */
  sendWithError(message: unknown[], errorIndex: number): void;
  /** Names a capability to the peer (see `CapabilityCodec.describe`). */
  describe(handler: CapabilityHandler): Descriptor;
  /** A `Return` or `Resolve` could not be sent: the session ends. */
  returnFailed(error: unknown): void;
  /** Whether the session has ended (nothing is sent any more). */
  readonly isTerminated: boolean;
}

/** Schedules microtasks without `queueMicrotask`'s per-callback async-context wrapping in Node. */
const resolved = Promise.resolve();

/**
 * The exporter's side of promise resolution (protocol.ts, `SenderPromise` and `Resolve`; the
 * importer's side is `promise-import.ts` and `ImportTable.receiveResolve`). A promise this side
 * sends before it settled (a local promise, a call result, a promise imported from another peer) is
 * exported as a promise: an export entry like any other (`export-table.ts`, counted and released)
 * that the peer's calls reach in order, plus a listener that sends the one `Resolve` once it
 * settles. A promise that already failed is sent the same way, its `Resolve` right behind it, so
 * the receiver's `whenResolved()` rejects as the promise did.
 *
 * When: the `Resolve` waits while the resolution still passes through a promise local to this side
 * (an embargo this side holds, a local promise following another), so that by the time it is sent
 * every call that reached the export so far has been forwarded on, and later ones are forwarded as
 * they arrive: the peer may then rely on an immediate `DisembargoReply` (embargo.ts). A resolution
 * to a promise of a peer (a question, a promise import) is sent at once, as another promise.
 *
 * Ownership: the export entry holds the promise (and so its resolution); the listener holds only
 * ids. One listener per promise and session, however often the promise is sent (each send after a
 * release is a new id), and it is removed when the last export waiting on it leaves (released by
 * the peer, or never sent because the encoding failed) or the session ends: a long-lived promise
 * sent again and again does not collect listeners, nor keep ended sessions reachable. A promise the
 * peer releases before it settled is owed a `Resolve` of kind `Released` ({@link released}).
 */
export class PromiseExports {
  readonly #port: PromiseExportPort;
  readonly #exports: ExportTable;
  /**
   * One watch per promise this session waits on, however often it was sent (each send after a
   * release is a new export id), and the promise each pending export id waits on. Made with the
   * first watch.
   */
  #watches: Map<ResultHandler, Watch> | undefined;
  #waitingOn: Map<number, ResultHandler> | undefined;

  constructor(port: PromiseExportPort, exports: ExportTable) {
    this.#port = port;
    this.#exports = exports;
    this.#watches = undefined;
    this.#waitingOn = undefined;
  }

  /**
   * The descriptor of `promise` (a result handler that has not settled to a capability): a
   * promise export, new (watched until it settles) or sent once more.
   *
   * @throws RangeError when this side would export more than `maxExports`
   */
  describe(promise: ResultHandler): Descriptor {
    const known = this.#exports.idOf(promise);
    const id = this.#exports.add(promise, true);
    if (known === undefined) this.#watch(id, promise, promise);
    return [DescriptorKind.SenderPromise, id];
  }

  /** The peer released promise export `id` before its `Resolve`: it gets a `Released` one instead. */
  released(id: number): void {
    this.dropped(id);
    this.#port.send([MessageType.Resolve, id, ResolveKind.Released]);
  }

  /** Promise export `id` left the table before its `Resolve`: nothing waits for it any more. */
  dropped(id: number): void {
    const promise = this.#waitingOn?.get(id);
    if (promise === undefined) return;
    this.#waitingOn!.delete(id);
    const watch = this.#watches!.get(promise)!;
    watch.exports.delete(id);
    if (watch.exports.size !== 0) return;
    this.#watches!.delete(promise);
    watch.stop();
  }

  /** The session ended: every watch stops (the promises may outlive the session by far). */
  abortAll(): void {
    const watches = this.#watches;
    this.#watches = undefined;
    this.#waitingOn = undefined;
    if (watches !== undefined) for (const watch of watches.values()) watch.stop();
  }

  /** Waits for `promise`, the end of export `id`'s resolution so far (`exported` is the entry's). */
  #watch(id: number, exported: CapabilityHandler, promise: ResultHandler): void {
    const known = this.#watches?.get(promise);
    if (known !== undefined) {
      known.exports.set(id, exported);
      this.#waitingOn!.set(id, promise);
      return;
    }
    let registering = true;
    let settledAtOnce = false;
    const watch: Watch = { exports: new Map([[id, exported]]), stop: doNothing };
    const stop = promise.onSettled((settlement) => {
      if (registering) {
        // Settled already: the descriptor is being sent right now, and its `Resolve` must follow it.
        settledAtOnce = true;
        void resolved.then(() => this.#settled(id, exported, settlement));
        return;
      }
      this.#watches?.delete(promise);
      for (const [watchedId, watchedExport] of watch.exports) {
        this.#waitingOn?.delete(watchedId);
        this.#settled(watchedId, watchedExport, settlement);
      }
    });
    registering = false;
    if (settledAtOnce) return;
    watch.stop = stop;
    (this.#watches ??= new Map()).set(promise, watch);
    (this.#waitingOn ??= new Map()).set(id, promise);
  }

  #settled(id: number, exported: CapabilityHandler, settlement: Settlement): void {
    const port = this.#port;
    if (port.isTerminated || !this.#exports.isPending(id, exported)) return;
    if (settlement.kind === 'capability') {
      const next = settlement.handler.shorten();
      if (isLocalPromise(next)) {
        this.#watch(id, exported, next);
        return;
      }
    }
    this.#exports.resolved(id);
    try {
      if (settlement.kind === 'capability') {
        port.send([MessageType.Resolve, id, ResolveKind.Capability, port.describe(settlement.handler)]);
      } else {
        const error =
          settlement.kind === 'error'
            ? settlement.error
            : new NotCapabilityError('whenResolved', describeValue(settlement.value));
        port.sendWithError([MessageType.Resolve, id, ResolveKind.Error, error], 3);
      }
    } catch (error) {
      port.returnFailed(error);
    }
  }
}

/** The export ids waiting on one promise, and how to stop listening to it. */
interface Watch {
  readonly exports: Map<number, CapabilityHandler>;
  stop: () => void;
}

function doNothing(): void {}

/**
 * Whether `handler` (the end of a forwarding chain) is a promise: a result handler (a local promise,
 * a question) or a promise import that has not resolved. After `shorten()` such a handler has not
 * settled to a capability: it is pending, or settled to an error or data.
 */
export function isPromise(handler: CapabilityHandler): handler is ResultHandler {
  return typeof (handler as Partial<ResultHandler>).onSettled === 'function';
}

/** Whether `handler` is a promise of this process (not a question or promise import of a session). */
function isLocalPromise(handler: CapabilityHandler): handler is ResultHandler {
  return (
    isPromise(handler) && !(handler instanceof QuestionHandler || handler instanceof PromiseImportHandler)
  );
}
