import type { AbortedError, ConsumerOptions } from '@msc/eventual';
import { CallTimeoutError } from '@msc/eventual/context';
import {
  type CallScope,
  type CapabilityHandler,
  callSettled,
  failedCall,
  type ResultHandler,
  refuseLoop,
  releaseSettlement,
  resolutionOf,
  type Settlement,
  SettlementListeners,
  settlementError,
} from '@msc/eventual/handler';
import type { TracedSession } from './call-tracer.ts';
import {
  type CancelReason,
  cancelReasonAborted,
  cancelReasonDeadline,
  type TargetKind,
  targetKindAnswer,
  targetKindExport,
} from './wire/protocol.ts';

/** What the remote handlers need from their session (a tracer reads its peer and addresses). */
export interface SessionPort extends TracedSession {
  /** Sends a call to one of the peer's exports or answers, with its context (if any). */
  sendCall(
    targetKind: TargetKind,
    targetId: number,
    method: string,
    args: readonly unknown[],
    context: CallScope | undefined,
  ): ResultHandler;
  /** @internal The last reference to an import went: tell the peer. */
  releaseImport_(handler: ImportHandler): void;
  /** What the peer authenticated as (for `remoteIdentity`). */
  readonly peer: unknown;
  /** The agreed protocol version (promise resolution needs `promiseResolutionVersion`). */
  readonly protocolVersion: number;
}

/**
 * A capability the peer hosts (an entry of this side's imports). Calls go out as `Call` messages
 * in the order they are made. When the session ends the import is revoked: later calls return
 * already-aborted results.
 */
export class ImportHandler implements CapabilityHandler {
  readonly session: SessionPort;
  readonly id: number;
  /** How many times the peer sent this export to us: the count a `Release` gives back. */
  received = 0;
  #references = 0;
  #revoked: AbortedError | undefined = undefined;
  /** Whether its exporter revoked it (a `Revoke`), as opposed to its session ending. */
  #revokedByExporter = false;
  #revocationListeners: Set<(error: unknown) => void> | undefined = undefined;

  constructor(session: SessionPort, id: number) {
    this.session = session;
    this.id = id;
  }

  call(method: string, args: readonly unknown[], context?: CallScope): ResultHandler {
    if (this.#revoked !== undefined) {
      return failedCall(args, this.#revoked);
    }
    return this.session.sendCall(targetKindExport, this.id, method, args, context);
  }

  whenResolved(): Promise<void> {
    return this.#revoked === undefined ? Promise.resolve() : Promise.reject(this.#revoked);
  }

  retain(): void {
    this.#references++;
  }

  release(): void {
    if (--this.#references !== 0) return;
    this.lastReleased();
    if (this.#revoked === undefined) this.session.releaseImport_(this);
  }

  shorten(): CapabilityHandler {
    return this;
  }

  /** Revokes the import because its session ended. */
  revoke(error: AbortedError): void {
    this.#revoked = error;
  }

  /**
   * Revokes the import because its exporter revoked it (a `Revoke`): later calls fail with `error`,
   * and the sessions this side forwarded the import to are told (see `onRevoked`).
   * @internal
   */
  revokeByExporter_(error: AbortedError): void {
    if (this.#revoked !== undefined) return;
    this.#revoked = error;
    this.#revokedByExporter = true;
    const listeners = this.#revocationListeners;
    this.#revocationListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener(error);
  }

  onRevoked(listener: (error: unknown) => void): () => void {
    const revoked = this.#revoked;
    if (revoked !== undefined) {
      if (this.#revokedByExporter) queueMicrotask(() => listener(revoked));
      return noop;
    }
    const listeners = (this.#revocationListeners ??= new Set());
    const entry = (error: unknown) => listener(error);
    listeners.add(entry);
    return () => listeners.delete(entry);
  }

  /** @internal Why the import was revoked (its session ended), or `undefined`. */
  get revokedBy_(): AbortedError | undefined {
    return this.#revoked;
  }

  /** The last local reference went (before the release is sent): a promise import drops its resolution. */
  protected lastReleased(): void {}
}

/**
 * The result of a call sent to the peer (an entry of this side's questions until the `Return`).
 * Calls made on it before the return are pipelined to the peer's answer; after the return they go
 * to the capability it resolved to (held behind an embargo while the calls pipelined earlier come
 * back around a loop: docs/concepts.md#the-embargo).
 */
export class QuestionHandler implements ResultHandler {
  readonly session: SessionPort;
  readonly id: number;
  consumerOptions: ConsumerOptions | undefined = undefined;
  /** Whether calls were pipelined on the peer's answer (so a loopback return needs an embargo). */
  pipelined = false;
  /**
   * Whether this side named the peer's answer in a descriptor (`[2, id]`) before the return: a
   * return that finishes the answer then needs an `AnswerCopy` (finishing returns, version 5).
   * @internal
   */
  referenced_ = false;
  /** @internal For a call pipelined on another question: that question (its settlement settles a `TargetFinished`). */
  target_: QuestionHandler | undefined = undefined;
  /** @internal For a call pipelined on another question: its method (named by a `NotCapabilityError`). */
  method_: string | undefined = undefined;
  #references = 1;
  #settlement: Settlement | undefined = undefined;
  /** Whether the capability settlement's reference was given back (see `releaseSettlement`). */
  #capabilityReleased = false;
  /** The context the call was sent with, listened to until the return (see {@link watch}). */
  #context: CallScope | undefined = undefined;
  /** Where a cancel goes (see {@link watch}). */
  #canceller: QuestionCanceller | undefined = undefined;
  readonly #listeners = new SettlementListeners();

  constructor(session: SessionPort, id: number) {
    this.session = session;
    this.id = id;
  }

  /**
   * The call was sent with `context`: when it is cancelled before the return, the peer is told
   * (`Cancel`). The question is the signal's listener (no closure) until it settles.
   */
  watch(context: CallScope, canceller: QuestionCanceller): void {
    this.#context = context;
    this.#canceller = canceller;
    context.signal.addEventListener('abort', this);
  }

  /** The call's context was cancelled. */
  handleEvent(): void {
    if (this.#settlement !== undefined) return;
    const timedOut = this.#context?.reason instanceof CallTimeoutError;
    this.#canceller?.cancel(this.id, timedOut ? cancelReasonDeadline : cancelReasonAborted);
  }

  call(method: string, args: readonly unknown[], context?: CallScope): ResultHandler {
    const settlement = this.#settlement;
    if (settlement === undefined) {
      this.pipelined = true;
      return this.session.sendCall(targetKindAnswer, this.id, method, args, context);
    }
    return callSettled(settlement, method, args, context);
  }

  whenResolved(): Promise<void> {
    return resolutionOf(this, this.#settlement);
  }

  retain(): void {
    this.#references++;
  }

  release(): void {
    // What the return holds goes with the question's last reference (see `releaseSettlement`).
    if (--this.#references === 0)
      this.#capabilityReleased = releaseSettlement(this.#settlement, this.#capabilityReleased);
  }

  shorten(): CapabilityHandler {
    return this.#settlement?.kind === 'capability' ? this.#settlement.handler.shorten() : this;
  }

  onSettled(listener: (settlement: Settlement) => void): () => void {
    if (this.#settlement === undefined) return this.#listeners.add(listener);
    listener(this.#settlement);
    return noop;
  }

  /** Whether the return (or the session's end) has settled this question. */
  get isSettled(): boolean {
    return this.#settlement !== undefined;
  }

  /**
   * A `TargetFinished` return (protocol version 5): this call was pipelined on {@link target_}, whose
   * return finished its answer before the call arrived. The call settles as in one process: with the
   * target's error, or, when the target is data, with `NotCapabilityError`
   * (docs/semantics.md#promise-pipelining). `undefined` when that cannot be (no target, or one not
   * settled to data or an error): the peer broke the protocol.
   * @internal
   */
  settlementOfFinishedTarget_(): Settlement | undefined {
    const target = this.target_;
    const settlement = target === undefined ? undefined : target.#settlement;
    if (settlement === undefined || settlement.kind === 'capability') return undefined;
    return { kind: 'error', error: settlementError(settlement, this.method_ ?? 'call') };
  }

  /**
   * Settles with the return. Takes ownership of a capability settlement's reference. A capability
   * that resolves to this question itself (the peer named one of this side's promises that follows
   * the question) is refused: the question settles with a `ResolutionLoopError` instead.
   */
  settle(settlement: Settlement): void {
    if (this.#settlement !== undefined) {
      if (settlement.kind === 'capability') settlement.handler.release();
      return;
    }
    if (settlement.kind === 'capability') settlement = refuseLoop(settlement, this);
    this.#settlement = settlement;
    this.target_ = undefined;
    const context = this.#context;
    if (context !== undefined) {
      this.#context = this.#canceller = undefined;
      context.signal.removeEventListener('abort', this);
    }
    this.#listeners.notify(settlement);
    if (this.#references === 0)
      this.#capabilityReleased = releaseSettlement(this.#settlement, this.#capabilityReleased);
  }
}

/** Where a question's cancel goes: its table, which sends `Cancel` while the question is open. */
export interface QuestionCanceller {
  cancel(questionId: number, why: CancelReason): void;
}

/** Does nothing (an unsubscribe with nothing to remove). */
export function noop(): void {}
