import { type CapabilityHandler, PromiseHandler } from '@msc/eventual/handler';
import type { AnswerTable } from './answer-table.ts';
import type { ExportTable } from './export-table.ts';
import type { DisembargoReplyMessage, DisembargoRequestMessage } from './wire/message.ts';
import {
  messageTypeDisembargoReply,
  messageTypeDisembargoRequest,
  type TargetKind,
  targetKindAnswer,
  targetKindExport,
} from './wire/protocol.ts';
import { ProtocolViolation } from './wire/violations.ts';

/** What the embargoes need from their session. */
export interface EmbargoPort {
  /** Queues a message (see `Outbox.send`). */
  send(message: unknown[]): void;
}

/**
 * Loopback embargoes (docs/concepts.md#the-embargo, the loopback case of instance order). When a
 * `Return` names one of this side's own capabilities and calls were pipelined on that answer, those
 * calls are still travelling back to the object through the peer. New calls must not overtake them,
 * so they wait on a promise until the peer confirms (`DisembargoReply`) that everything it
 * forwarded from the answer was sent; it forwards calls as they arrive, so it replies at once to
 * the request, behind them on the same ordered connection. A `Resolve` of one of the peer's
 * promises that names one of this side's capabilities is the same case, with the promise export
 * (`targetKindExport`) in place of the answer (protocol.ts, `Resolve`).
 *
 * Roles: the caller side holds the embargo ({@link hold}, {@link receiveReply_}) and chooses its
 * ids (counting up); the callee side only answers ({@link receiveRequest_}). Ownership: an embargo
 * owns the handler's reference until the reply (or the session's end, {@link abortAll_}) moves it
 * into the promise: a capability of this side's own outlives the session that looped through it.
 */
export class Embargoes {
  readonly #port: EmbargoPort;
  /** Made with the first embargo (most sessions never hold one). */
  #embargoes: Map<number, { promise: PromiseHandler; handler: CapabilityHandler }> | undefined;
  #nextId: number;

  constructor(port: EmbargoPort) {
    this.#port = port;
    this.#embargoes = undefined;
    this.#nextId = 0;
  }

  /** Embargoes waiting for their reply. */
  get size(): number {
    return this.#embargoes?.size ?? 0;
  }

  /**
   * Holds calls to `handler` (owned) behind an embargo on the peer's answer `targetId` (or its
   * promise export, for `targetKindExport`): the stand-in the caller gets.
   */
  hold(targetKind: TargetKind, targetId: number, handler: CapabilityHandler): CapabilityHandler {
    const embargoId = this.#nextId++;
    const promise = new PromiseHandler();
    (this.#embargoes ??= new Map<number, { promise: PromiseHandler; handler: CapabilityHandler }>()).set(
      embargoId,
      { promise, handler },
    );
    // An answer's request keeps version 1's three fields.
    this.#port.send(
      targetKind === targetKindAnswer
        ? [messageTypeDisembargoRequest, targetId, embargoId]
        : [messageTypeDisembargoRequest, targetId, embargoId, targetKind],
    );
    return promise;
  }

  /**
   * `DisembargoRequest`: every call pipelined on the answer (or sent to the resolved promise
   * export) was forwarded (and so queued for sending) as it arrived; the reply goes out behind them.
   *
   * @throws ProtocolViolation when the answer or export does not exist
   * @internal
   */
  receiveRequest_(message: DisembargoRequestMessage, answers: AnswerTable, exports: ExportTable): void {
    const targetId = message[1];
    const embargoId = message[2];
    if (message[3] === targetKindExport) {
      if (exports.handler(targetId) === undefined) {
        throw new ProtocolViolation(`disembargo for export ${targetId}, which does not exist`);
      }
    } else if (!answers.has(targetId)) {
      throw new ProtocolViolation(`disembargo for answer ${targetId}, which does not exist`);
    }
    this.#port.send([messageTypeDisembargoReply, embargoId]);
  }

  /**
   * `DisembargoReply`: the calls that went around the loop are queued at our object; the held
   * ones follow.
   *
   * @throws ProtocolViolation for an embargo this side did not ask for
   * @internal
   */
  receiveReply_(message: DisembargoReplyMessage): void {
    const embargoId = message[1];
    const embargoes = this.#embargoes;
    const embargo = embargoes?.get(embargoId);
    if (embargo === undefined) throw new ProtocolViolation(`disembargo reply ${embargoId} was not asked for`);
    embargoes!.delete(embargoId);
    embargo.promise.settle({ kind: 'capability', handler: embargo.handler });
  }

  /**
   * The session ended: the held calls go on to the handler. It is one of this side's own
   * capabilities (the loopback case), which does not depend on the session; the calls that went
   * around the loop through the peer already failed with their questions (the session settles those
   * first), so nothing is left for the held calls to wait for.
   * @internal
   */
  abortAll_(): void {
    if (this.#embargoes === undefined) return;
    const embargoes = [...this.#embargoes.values()];
    this.#embargoes.clear();
    for (const embargo of embargoes) embargo.promise.settle({ kind: 'capability', handler: embargo.handler });
  }
}
