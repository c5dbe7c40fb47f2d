import type { CapabilityHandler } from '@msc/eventual/handler';
import { ProtocolViolation } from './wire/violations.ts';

/**
 * This side's exports: the capabilities it sent the peer (protocol.ts, "Tables"), keyed by export
 * ids this side chooses (counting up, never reused).
 *
 * Ownership: an entry holds one reference to its handler and counts how many times it was sent
 * (the peer's references). Each send adds one; a `Release` subtracts the count the peer received;
 * at zero the entry leaves and its reference is released. One handler has one export id while it
 * is exported, so a capability sent twice is one entry. When the session ends every entry's
 * reference is released.
 *
 * Promise exports (`SenderPromise`, see promise-exports.ts) are entries too, marked `pending` until
 * their `Resolve` is sent. Once it is, the handler forgets its id (the export stays, for calls still
 * on their way to it): a handler sent again after its `Resolve` gets a new id, so the peer never
 * receives a promise id that has already resolved.
 *
 * Revocation: a capability export watches its handler (`onRevoked`, from `revocable()` or an import
 * its own exporter revoked) from the moment its entry is made until it leaves; when the handler is
 * revoked, `onRevoked` of the table tells the session, which sends the peer a `Revoke`. The entry
 * stays until the peer's `Release`. Sent again while revoked, the peer is told again.
 */
export class ExportTable {
  /** Both maps are made with the first export (an idle session that exports nothing holds none). */
  #exports: Map<number, ExportEntry> | undefined;
  #ids: Map<CapabilityHandler, number> | undefined;
  readonly #maxExports: number;
  #nextId: number;
  readonly #onRevoked: ((id: number, error: unknown) => void) | undefined;

  /** @param onRevoked called when the handler of a capability export still in the table is revoked */
  constructor(maxExports: number, onRevoked?: (id: number, error: unknown) => void) {
    this.#exports = undefined;
    this.#ids = undefined;
    this.#maxExports = maxExports;
    this.#nextId = 0;
    this.#onRevoked = onRevoked;
  }

  /** Live exports. */
  get size(): number {
    return this.#exports?.size ?? 0;
  }

  /** The export id `handler` is sent under now, or `undefined`. */
  idOf(handler: CapabilityHandler): number | undefined {
    return this.#ids?.get(handler);
  }

  /**
   * Sends `handler` once more: its export id (a new entry retains the handler). A new entry is a
   * promise export, pending its `Resolve`, when `promise` is set.
   *
   * @throws RangeError when this side already exports `maxExports` capabilities
   */
  add(handler: CapabilityHandler, promise = false): number {
    const exports = (this.#exports ??= new Map<number, ExportEntry>());
    const ids = (this.#ids ??= new Map<CapabilityHandler, number>());
    const id = ids.get(handler);
    if (id !== undefined) {
      const entry = exports.get(id)!;
      entry.count++;
      // Sent again after its revocation: the peer may have released it and import it afresh.
      if (entry.revoked !== undefined) this.#revokedLater(id, entry, entry.revoked);
      return id;
    }
    if (exports.size >= this.#maxExports) {
      throw new RangeError(`this session already exports ${this.#maxExports} capabilities`);
    }
    const newId = this.#nextId++;
    handler.retain();
    const entry: ExportEntry = {
      handler,
      count: 1,
      pending: promise,
      unwatch: undefined,
      revoked: undefined,
    };
    exports.set(newId, entry);
    ids.set(handler, newId);
    if (!promise && this.#onRevoked !== undefined && handler.onRevoked !== undefined) {
      entry.unwatch = handler.onRevoked((error) => this.#revoked(newId, entry, error));
    }
    return newId;
  }

  /** The handler exported as `id`, or `undefined`. */
  handler(id: number): CapabilityHandler | undefined {
    return this.#exports?.get(id)?.handler;
  }

  /**
   * The peer named its reference to export `id` (a `ReceiverExport` descriptor): the handler, with
   * one more reference owned by the caller.
   *
   * @throws ProtocolViolation when the peer holds no such export
   */
  retain(id: number): CapabilityHandler {
    const entry = this.#exports?.get(id);
    if (entry === undefined)
      throw new ProtocolViolation(`the peer named export ${id}, which it does not hold`);
    entry.handler.retain();
    return entry.handler;
  }

  /** Whether export `id` is a promise export of `handler` whose `Resolve` is not sent yet. */
  isPending(id: number, handler: CapabilityHandler): boolean {
    const entry = this.#exports?.get(id);
    return entry?.pending === true && entry.handler === handler;
  }

  /**
   * `stop` ends the settlement watch of promise export `id`, an entry in the table (promise-exports.ts
   * watches right after `add` or `isPending`): it runs when the entry leaves (released, never sent,
   * or the session ended).
   */
  watch(id: number, stop: () => void): void {
    this.#exports!.get(id)!.unwatch = stop;
  }

  /** The `Resolve` of promise export `id` is sent: its handler forgets the id (see above). */
  resolved(id: number): void {
    const entry = this.#exports?.get(id);
    if (entry === undefined) return;
    entry.pending = false;
    if (this.#ids!.get(entry.handler) === id) this.#ids!.delete(entry.handler);
  }

  /**
   * `Release`: the peer dropped `count` references. Answers whether that dropped a promise export
   * before its `Resolve` (the peer is then owed a `Resolve` of kind `Released`).
   *
   * @throws ProtocolViolation when the peer releases more than it was sent
   */
  release(id: number, count: number): boolean {
    const entry = this.#exports?.get(id);
    if (entry === undefined || entry.count < count) {
      throw new ProtocolViolation(`release of export ${id} more times than it was sent`);
    }
    this.drop(id, count);
    return entry.count <= 0 && entry.pending;
  }

  /** Subtracts `count` sends (a release, or an encoding that failed so the peer never heard). */
  drop(id: number, count: number): void {
    const entry = this.#exports?.get(id);
    if (entry === undefined) return;
    entry.count -= count;
    if (entry.count > 0) return;
    this.#exports!.delete(id);
    if (this.#ids!.get(entry.handler) === id) this.#ids!.delete(entry.handler);
    entry.unwatch?.();
    entry.handler.release();
  }

  /** @internal The session ended: every export's reference is released. */
  abortAll_(): void {
    if (this.#exports === undefined) return;
    const entries = [...this.#exports.values()];
    this.#exports.clear();
    this.#ids!.clear();
    for (const entry of entries) {
      entry.unwatch?.();
      entry.handler.release();
    }
  }

  #revoked(id: number, entry: ExportEntry, error: unknown): void {
    entry.revoked = error;
    if (this.#exports?.get(id) === entry) this.#onRevoked!(id, error);
  }

  /** After the message carrying the export went out (it is being encoded now). */
  #revokedLater(id: number, entry: ExportEntry, error: unknown): void {
    queueMicrotask(() => this.#revoked(id, entry, error));
  }
}

interface ExportEntry {
  readonly handler: CapabilityHandler;
  /** How many times the peer received it and has not released. */
  count: number;
  /** A promise export whose `Resolve` is not sent yet. */
  pending: boolean;
  /**
   * Stops watching the handler: for a revocation (a capability export), or for its settlement (a
   * promise export, set by `watch`). Runs when the entry leaves.
   */
  unwatch: (() => void) | undefined;
  /** The error of the handler's revocation, once revoked. */
  revoked: unknown;
}
