import {
  type CapabilityHandler,
  type ResultHandler,
  type Settlement,
  settlementError,
} from '@msc/eventual/handler';
import type { ExportTable } from './export-table.ts';
import { PromiseImportHandler } from './promise-import.ts';
import { QuestionHandler } from './remote-handlers.ts';
import {
  type Descriptor,
  descriptorKindSenderPromise,
  messageTypeResolve,
  resolveKindCapability,
  resolveKindError,
  resolveKindReleased,
} from './wire/protocol.ts';

/** What the promise exports need from their session. */
export interface PromiseExportPort {
  /** Queues a message (see `Outbox.send`). */
  send(message: unknown[]): void;
  /** @internal Queues a message carrying an error (see `Outbox.sendWithError_`). */
  sendWithError_(message: unknown[], errorIndex: number): void;
  /** Names a capability to the peer (see `CapabilityCodec.describe`). */
  describe(handler: CapabilityHandler): Descriptor;
  /** @internal A `Return` or `Resolve` could not be sent: the session ends. */
  returnFailed_(error: unknown): void;
  /** Whether the session has ended (nothing is sent any more). */
  readonly isTerminated: boolean;
}

/** Schedules microtasks without `queueMicrotask`'s per-callback async-context wrapping in Node. */
const resolved = Promise.resolve();

/**
 * The exporter's side of promise resolution (protocol.ts, `SenderPromise` and `Resolve`; the
 * importer's side is `promise-import.ts` and `ImportTable.receiveResolve_`). A promise this side
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
 * ids, and the entry removes it when it leaves (released by the peer, never sent because the
 * encoding failed, or the session ended): a long-lived promise sent again and again (a new id after
 * each release) holds one listener per live export, not one per send, and no ended session. A promise the peer releases before it settled is owed a `Resolve` of kind
 * `Released` ({@link released}).
 */
export class PromiseExports {
  readonly #port: PromiseExportPort;
  readonly #exports: ExportTable;

  constructor(port: PromiseExportPort, exports: ExportTable) {
    this.#port = port;
    this.#exports = exports;
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
    return [descriptorKindSenderPromise, id];
  }

  /** The peer released promise export `id` before its `Resolve`: it gets a `Released` one instead. */
  released(id: number): void {
    this.#port.send([messageTypeResolve, id, resolveKindReleased]);
  }

  /** Waits for `promise`, the end of export `id`'s resolution so far (`exported` is the entry's). */
  #watch(id: number, exported: CapabilityHandler, promise: ResultHandler): void {
    let registering = true;
    const stop = promise.onSettled((settlement) => {
      // Settled already: the descriptor is being sent right now, and its `Resolve` must follow it.
      if (registering) void resolved.then(() => this.#settled(id, exported, settlement));
      else this.#settled(id, exported, settlement);
    });
    registering = false;
    this.#exports.watch(id, stop);
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
        port.send([messageTypeResolve, id, resolveKindCapability, port.describe(settlement.handler)]);
      } else {
        port.sendWithError_(
          [messageTypeResolve, id, resolveKindError, settlementError(settlement, 'whenResolved')],
          3,
        );
      }
    } catch (error) {
      port.returnFailed_(error);
    }
  }
}

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
