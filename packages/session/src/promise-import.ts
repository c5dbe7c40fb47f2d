import type { AbortedError, ConsumerOptions } from '@msc/eventual';
import {
  type CallScope,
  type CapabilityHandler,
  type ResultHandler,
  resolutionOf,
  type Settlement,
  SettlementListeners,
} from '@msc/eventual/handler';
import { ImportHandler, noop } from './remote-handlers.ts';

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
  #resolved = false;
  #listeners: SettlementListeners | undefined = undefined;

  /** Whether the peer's `Resolve` arrived (still true once the resolution was dropped). */
  get isResolved(): boolean {
    return this.#resolved;
  }

  override call(method: string, args: readonly unknown[], context?: CallScope): ResultHandler {
    const last = this.#last();
    if (last !== this) return last.call(method, args, context);
    const resolution = this.#resolution;
    if (resolution !== undefined) return resolution.call(method, args, context);
    if (this.revokedBy_ === undefined) this.pipelined = true;
    return super.call(method, args, context);
  }

  override whenResolved(): Promise<void> {
    const last = this.#last();
    if (last !== this) return last.whenResolved();
    const resolution = this.#resolution;
    if (resolution !== undefined) return resolution.whenResolved();
    const revoked = this.revokedBy_;
    if (revoked !== undefined) return Promise.reject(revoked);
    return resolutionOf(this, undefined);
  }

  override shorten(): CapabilityHandler {
    const last = this.#last();
    return last.#resolution === undefined ? last : last.#resolution.shorten();
  }

  onSettled(listener: (settlement: Settlement) => void): () => void {
    const resolution = this.#resolution;
    const revoked = this.revokedBy_;
    if (resolution !== undefined) listener({ kind: 'capability', handler: resolution });
    else if (revoked !== undefined) listener({ kind: 'error', error: revoked });
    else return (this.#listeners ??= new SettlementListeners()).add(listener);
    return noop;
  }

  /**
   * The peer's `Resolve`: calls go to `handler` from now on. Takes ownership of its reference; the
   * caller checked that it does not lead back to this import (a cycle).
   */
  resolve(handler: CapabilityHandler): void {
    this.#resolution = handler;
    this.#resolved = true;
    this.#notify({ kind: 'capability', handler });
  }

  override revoke(error: AbortedError): void {
    super.revoke(error);
    if (this.#resolution === undefined) this.#notify({ kind: 'error', error });
  }

  protected override lastReleased(): void {
    const resolution = this.#resolution;
    this.#resolution = undefined;
    if (resolution !== undefined) releaseInTurn(resolution);
  }

  #notify(settlement: Settlement): void {
    const listeners = this.#listeners;
    this.#listeners = undefined;
    listeners?.notify(settlement);
  }

  /**
   * The last promise import along this one's resolutions, walked in a loop (a peer may chain many
   * promises). The walk compresses the path: every import along it now resolves to the last one
   * directly, and the links between are released (the peer gets their `Release`), so the next walk
   * from any of them is one step (amortised O(1) per call however the peer ordered its `Resolve`s).
   */
  #last(): PromiseImportHandler {
    let last: PromiseImportHandler = this;
    while (last.#resolution instanceof PromiseImportHandler) last = last.#resolution;
    for (let link: PromiseImportHandler = this; link !== last; ) {
      const next = link.#resolution as PromiseImportHandler;
      if (next !== last) {
        last.retain();
        link.#resolution = last;
        // Released once the walk is over: by then every link it had resolves to `last` directly.
        waitingReleases.push(next);
      }
      link = next;
    }
    releaseInTurn();
    return last;
  }
}

/** Releases waiting for the release that is running (see {@link releaseInTurn}). */
const waitingReleases: CapabilityHandler[] = [];
let releasing = false;

/**
 * Releases `handler` without nesting: a release that runs inside another (the last reference of
 * a promise import releasing its resolution, which is another promise import, and so on along a
 * chain a peer built) waits for the outer one to finish, which runs them in a loop. The stack stays
 * flat however long the chain. Without `handler`, runs the releases already waiting.
 */
function releaseInTurn(handler?: CapabilityHandler): void {
  if (handler !== undefined) waitingReleases.push(handler);
  if (releasing) return;
  releasing = true;
  try {
    for (let next = waitingReleases.pop(); next !== undefined; next = waitingReleases.pop()) next.release();
  } finally {
    releasing = false;
  }
}
