import type { AbortedError } from '@msc/eventual';
import { ImportHandler, type SessionPort } from './remote-handlers.ts';
import { LimitViolation } from './wire/violations.ts';

/**
 * This side's imports: the capabilities the peer sent (protocol.ts, "Tables"), keyed by the peer's
 * export id, which the peer chooses.
 *
 * Ownership: an entry is an {@link ImportHandler} that counts how many times the peer sent the
 * export (`received`) and how many local references it has. When the last local reference goes,
 * the entry leaves the table and a `Release` gives the received count back; counting received
 * occurrences means a release never races a re-export that is still in flight. When the session
 * ends every import is revoked (later calls fail with the session's `AbortedError`).
 */
export class ImportTable {
  /** Made with the first import (an idle session that imports nothing holds no map). */
  #imports: Map<number, ImportHandler> | undefined;
  readonly #session: SessionPort;
  readonly #maxImports: number;

  /** @param session what the import handlers send their calls and releases through */
  constructor(session: SessionPort, maxImports: number) {
    this.#imports = undefined;
    this.#session = session;
    this.#maxImports = maxImports;
  }

  /** Live imports. */
  get size(): number {
    return this.#imports?.size ?? 0;
  }

  /**
   * The peer sent its export `id` (a `SenderExport` descriptor): the import, with one more
   * reference owned by the caller.
   *
   * @throws LimitViolation when the peer would make this side hold more than `maxImports`
   */
  receive(id: number): ImportHandler {
    const imports = (this.#imports ??= new Map<number, ImportHandler>());
    let imported = imports.get(id);
    if (imported === undefined) {
      if (imports.size >= this.#maxImports) {
        throw new LimitViolation(`the peer sent more than ${this.#maxImports} capabilities`, 'maxImports');
      }
      imported = new ImportHandler(this.#session, id);
      imports.set(id, imported);
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
    return true;
  }

  /** The session ended: every import is revoked. */
  abortAll(error: AbortedError): void {
    const imports = this.#imports;
    if (imports === undefined) return;
    for (const imported of imports.values()) imported.revoke(error);
    imports.clear();
  }
}
