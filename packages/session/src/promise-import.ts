import type { AbortedError, ConsumerOptions } from '@msc/eventual';
import {
  type CapabilityHandler,
  type ResultHandler,
  type Settlement,
  SettlementListeners,
} from '@msc/eventual/handler';
import { ImportHandler } from './remote-handlers.ts';

/**
 * A promise the peer hosts (protocol.ts, `DescriptorKind.SenderPromise`): an import that the peer
 * resolves later with one `Resolve` (received by `import-table.ts`). Until then calls go to the
 * peer's promise export, which forwards them in order; `whenResolved()` waits. Once resolved, calls
 * go to the resolution directly (a capability the peer hosts, another promise, one of this side's
 * own objects behind an embargo, or a broken capability for a rejection), and `shorten()` names the
 * resolution, so the promise is never sent on as a proxy of a proxy.
 *
 * Ownership: the import owns one reference to its resolution and releases it with its last local
 * reference. The resolution survives the session: when the session ends an unresolved promise
 * import is revoked (calls and `whenResolved()` fail with the session's `AbortedError`), a resolved
 * one keeps working when its resolution does not depend on the session (one of this side's objects).
 */
export class PromiseImportHandler extends ImportHandler implements ResultHandler {
  consumerOptions: ConsumerOptions | undefined = undefined;
  /**
   * Whether calls were sent to the peer's promise (directly, or through a question or promise that
   * resolved to this one): a resolution that comes home must then wait behind an embargo.
   */
  pipelined = false;
  #resolution: CapabilityHandler | undefined = undefined;
  #listeners: SettlementListeners | undefined = undefined;

  /** Whether the peer's `Resolve` arrived. */
  get isResolved(): boolean {
    return this.#resolution !== undefined;
  }

  override call(method: string, args: readonly unknown[]): ResultHandler {
    const last = this.#last();
    if (last !== this) return last.call(method, args);
    const resolution = this.#resolution;
    if (resolution !== undefined) return resolution.call(method, args);
    if (this.revokedBy === undefined) this.pipelined = true;
    return super.call(method, args);
  }

  override whenResolved(): Promise<void> {
    const last = this.#last();
    if (last !== this) return last.whenResolved();
    const resolution = this.#resolution;
    if (resolution !== undefined) return resolution.whenResolved();
    const revoked = this.revokedBy;
    if (revoked !== undefined) return Promise.reject(revoked);
    return new Promise((resolve, reject) => this.onSettled(() => this.whenResolved().then(resolve, reject)));
  }

  override shorten(): CapabilityHandler {
    const last = this.#last();
    return last.#resolution === undefined ? last : last.#resolution.shorten();
  }

  onSettled(listener: (settlement: Settlement) => void): void {
    const resolution = this.#resolution;
    const revoked = this.revokedBy;
    if (resolution !== undefined) listener({ kind: 'capability', handler: resolution });
    else if (revoked !== undefined) listener({ kind: 'error', error: revoked });
    else (this.#listeners ??= new SettlementListeners()).add(listener);
  }

  /**
   * The peer's `Resolve`: calls go to `handler` from now on. Takes ownership of its reference; the
   * caller checked that it does not lead back to this import (a cycle).
   */
  resolve(handler: CapabilityHandler): void {
    this.#resolution = handler;
    this.#notify({ kind: 'capability', handler });
  }

  override revoke(error: AbortedError): void {
    super.revoke(error);
    if (this.#resolution === undefined) this.#notify({ kind: 'error', error });
  }

  protected override lastReleased(): void {
    const resolution = this.#resolution;
    this.#resolution = undefined;
    resolution?.release();
  }

  #notify(settlement: Settlement): void {
    const listeners = this.#listeners;
    this.#listeners = undefined;
    listeners?.notify(settlement);
  }

  /**
   * The last promise import along this one's resolutions (walked in a loop, not recursively: a peer
   * may chain many promises, and each call on the first would otherwise recurse through them all).
   */
  #last(): PromiseImportHandler {
    let current: PromiseImportHandler = this;
    for (;;) {
      const next = current.#resolution;
      if (!(next instanceof PromiseImportHandler)) return current;
      current = next;
    }
  }
}
