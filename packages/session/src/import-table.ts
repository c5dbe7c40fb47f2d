import { type AbortedError, RevokedError } from '@msc/eventual';
import { type CapabilityHandler, settledResult } from '@msc/eventual/handler';
import { PromiseImportHandler } from './promise-import.ts';
import { ImportHandler, type SessionPort } from './remote-handlers.ts';
import type { ResolveMessage, RevokeMessage } from './wire/message.ts';
import {
  type Descriptor,
  descriptorKindReceiverAnswer,
  descriptorKindReceiverExport,
  resolveKindCapability,
  resolveKindError,
  resolveKindReleased,
  type TargetKind,
  targetKindExport,
} from './wire/protocol.ts';
import { LimitViolation, ProtocolViolation } from './wire/violations.ts';

/** What a received `Resolve` needs from its session. */
export interface ResolvePort {
  /** Turns a checked capability descriptor into a handler the caller owns a reference to. */
  resolve(descriptor: Descriptor): CapabilityHandler;
  /** Holds new calls to `handler` until the calls sent to the target came back (embargo.ts). */
  embargo(targetKind: TargetKind, targetId: number, handler: CapabilityHandler): CapabilityHandler;
}

/**
 * This side's imports: the capabilities the peer sent (protocol.ts, "Tables"), keyed by the peer's
 * export id, which the peer chooses.
 *
 * Ownership: an entry is an {@link ImportHandler} that counts how many times the peer sent the
 * export (`received`) and how many local references it has. When the last local reference goes,
 * the entry leaves the table and a `Release` gives the received count back; counting received
 * occurrences means a release never races a re-export that is still in flight. When the session
 * ends every import is revoked (later calls fail with the session's `AbortedError`).
 *
 * Promises (`SenderPromise`, a {@link PromiseImportHandler}) are entries too, settled by the peer's
 * one `Resolve` ({@link receiveResolve_}). One released before its `Resolve` leaves a tombstone: the
 * peer still sends one `Resolve` for it (the real one, or `Released` once it saw the release), and
 * the tombstone tells that legitimate `Resolve` from a forged one. Tombstones count against
 * `maxImports` with the entries, so a peer that never answers them cannot grow them without bound.
 */
export class ImportTable {
  /** Made with the first import (an idle session that imports nothing holds no map). */
  #imports: Map<number, ImportHandler> | undefined;
  /** Promises released before their `Resolve` arrived (made with the first). */
  #tombstones: Set<number> | undefined;
  readonly #session: SessionPort;
  readonly #maxImports: number;

  /** @param session what the import handlers send their calls and releases through */
  constructor(session: SessionPort, maxImports: number) {
    this.#imports = undefined;
    this.#tombstones = undefined;
    this.#session = session;
    this.#maxImports = maxImports;
  }

  /**
   * Live imports plus tombstones (promises released before their `Resolve`): what counts against
   * `maxImports`, and what a leak check must see drain.
   */
  get size(): number {
    return (this.#imports?.size ?? 0) + (this.#tombstones?.size ?? 0);
  }

  /**
   * The peer sent its export `id` (a `SenderExport` descriptor, or a `SenderPromise` when
   * `promise` is set): the import, with one more reference owned by the caller.
   *
   * @throws LimitViolation when the peer would make this side hold more than `maxImports`;
   *   ProtocolViolation when the peer names one export both as a promise and as a capability
   */
  receive(id: number, promise = false): ImportHandler {
    const imports = (this.#imports ??= new Map<number, ImportHandler>());
    let imported = imports.get(id);
    if (imported === undefined) {
      if (this.size >= this.#maxImports) {
        throw new LimitViolation(`the peer sent more than ${this.#maxImports} capabilities`, 'maxImports');
      }
      // Sent again before the peer saw our release: its one `Resolve` now belongs to this import.
      this.#tombstones?.delete(id);
      imported = promise ? new PromiseImportHandler(this.#session, id) : new ImportHandler(this.#session, id);
      imports.set(id, imported);
    } else if (imported instanceof PromiseImportHandler !== promise) {
      throw new ProtocolViolation(`the peer sent export ${id} both as a promise and as a capability`);
    }
    imported.received++;
    imported.retain();
    return imported;
  }

  /** The last local reference to `handler` went: whether it was still in the table (now removed). */
  remove(handler: ImportHandler): boolean {
    const imports = this.#imports;
    if (imports?.get(handler.id) !== handler) return false;
    imports.delete(handler.id);
    if (handler instanceof PromiseImportHandler && !handler.isResolved) {
      (this.#tombstones ??= new Set<number>()).add(handler.id);
    }
    return true;
  }

  /**
   * `Resolve`: the peer's promise `id` settled. The import's calls go to the resolution from now
   * on; a resolution this side hosts, when calls were sent to the promise, waits behind an embargo
   * until those calls came back (they are in flight through the peer, and later calls must not
   * overtake them). For a tombstone, the resolution is released at once.
   *
   * @throws ProtocolViolation for an id this side never imported, an import that is no promise, a
   *   second `Resolve`, a `Released` this side did not ask for, or a resolution cycle;
   *   LimitViolation when the resolution would make this side hold more than `maxImports`
   * @internal
   */
  receiveResolve_(message: ResolveMessage, port: ResolvePort): void {
    const id = message[1];
    const kind = message[2];
    const imported = this.#imports?.get(id);
    if (imported === undefined) {
      if (this.#tombstones?.delete(id) !== true) {
        throw new ProtocolViolation(`resolve of import ${id}, which this side does not hold`);
      }
      if (kind === resolveKindCapability) port.resolve(message[3] as Descriptor).release();
      return;
    }
    if (!(imported instanceof PromiseImportHandler)) {
      throw new ProtocolViolation(`resolve of import ${id}, which is not a promise`);
    }
    if (imported.isResolved) throw new ProtocolViolation(`a second resolve of promise ${id}`);
    if (kind === resolveKindReleased) {
      throw new ProtocolViolation(`resolve (released) of promise ${id}, which this side did not release`);
    }
    if (kind === resolveKindError) {
      imported.resolve(settledResult({ kind: 'error', error: message[3] }));
      return;
    }
    const descriptor = message[3] as Descriptor;
    let handler = port.resolve(descriptor);
    if (handler.shorten() === imported) {
      handler.release();
      throw new ProtocolViolation(`promise ${id} was resolved to itself (a resolution cycle)`);
    }
    if (imported.pipelined) {
      if (descriptor[0] === descriptorKindReceiverExport || descriptor[0] === descriptorKindReceiverAnswer) {
        handler = port.embargo(targetKindExport, id, handler);
      } else if (handler instanceof PromiseImportHandler) {
        // The calls sent so far travel on along the new promise's path: a resolution of it that
        // comes home must wait for them too.
        handler.pipelined = true;
      }
    }
    imported.resolve(handler);
  }

  /**
   * `Revoke`: the peer revoked its export `id`. The import is revoked (its later calls fail with the
   * revocation's error, which goes on to the sessions this side forwarded it to), leaves the table,
   * and its received count is released as its last reference would. An id this side no longer
   * imports is ignored: its `Release` crossed the `Revoke`.
   *
   * @throws ProtocolViolation for a promise import (a promise settles by `Resolve`)
   * @internal
   */
  receiveRevoke_(message: RevokeMessage): void {
    const imported = this.#imports?.get(message[1]);
    if (imported === undefined) return;
    if (imported instanceof PromiseImportHandler) {
      throw new ProtocolViolation(`revoke of import ${message[1]}, which is a promise`);
    }
    // Whatever the peer sent, holders see a RevokedError: a peer cannot make it look like another failure.
    const sent = message[2];
    imported.revokeByExporter_(sent instanceof RevokedError ? sent : RevokedError.because(sent));
    this.#session.releaseImport_(imported);
  }

  /** @internal The session ended: every import is revoked. */
  abortAll_(error: AbortedError): void {
    this.#tombstones = undefined;
    const imports = this.#imports;
    if (imports === undefined) return;
    const entries = [...imports.values()];
    imports.clear();
    for (const imported of entries) imported.revoke(error);
  }
}
