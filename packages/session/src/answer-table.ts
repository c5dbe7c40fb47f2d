import { type AbortedError, NotCapabilityError } from '@msc/eventual';
import {
  abortStreamsIn,
  type CallScope,
  type CapabilityHandler,
  markSerialized,
  PromiseHandler,
  type ResultHandler,
  releaseCapabilities,
  releaseCarriedCapabilities,
  type Settlement,
} from '@msc/eventual/handler';
import { type CallContextPart, createCallContextPart } from './call-context-part.ts';
import type { CallTracing } from './call-tracer.ts';
import { lastEncodingCarried } from './encoding-carried.ts';
import type { ExportTable } from './export-table.ts';
import { IdTable } from './id-table.ts';
import type { AnswerCopyMessage, CallMessage } from './wire/message.ts';
import {
  callContextVersion,
  type Descriptor,
  finishingReturnVersion,
  messageTypeReturn,
  returnKindCapability,
  returnKindError,
  returnKindTargetFinished,
  returnKindValue,
  targetKindExport,
} from './wire/protocol.ts';
import { LimitViolation, ProtocolViolation, requireVersion } from './wire/violations.ts';

/** What the answers need from their session. */
export interface AnswerPort {
  /** Queues a message (see `Outbox.send`; `early`: a return may leave at once). */
  send(message: unknown[], early?: boolean): void;
  /** @internal Queues a message carrying an error (see `Outbox.sendWithError_`). */
  sendWithError_(message: unknown[], errorIndex: number): void;
  /** Names a capability to the peer (see `CapabilityCodec.describe`). */
  describe(handler: CapabilityHandler): Descriptor;
  /** @internal A return could not be sent: the session ends. */
  returnFailed_(error: unknown): void;
  /** Whether the session has ended (returns are no longer sent). */
  readonly isTerminated: boolean;
  /** The agreed protocol version (a call's context needs `callContextVersion`). */
  readonly protocolVersion: number;
}

/**
 * This side's answers: the peer's calls (protocol.ts, "Tables"), keyed by the peer's question id.
 *
 * Flow: a `Call` is delivered to its target (an export, or an answer for a pipelined call) in
 * arrival order; its result is the answer, and its settlement goes back as a `Return`. The answer
 * stays (calls pipelined on it still arrive) until the peer's `Finish`, or, from protocol version 5,
 * goes as its `Return` is sent when that `Return` finishes it (data or an error without descriptors,
 * protocol.ts `finishingReturnVersion`). What the peer sent on such an answer before it had the
 * `Return` arrives after the answer is gone, and is settled without holding anything the peer could
 * grow: a call pipelined on it is answered `TargetFinished` at once (its arguments released, its
 * streams aborted; the caller settles it as the `Return` said), a descriptor naming it becomes a
 * stand-in (a local promise, counted against `maxAnswers` with the answers) that the peer's
 * `AnswerCopy` settles and removes. An id the peer never used looks the same as a finished one (ids
 * are the peer's own, so naming one reaches nothing of this side's): a call on it fails the same way.
 *
 * Ownership: the table owns one reference to each answer's result, released at `Finish` or when
 * the session ends, and the capabilities inside a returned value, released once the `Return` is
 * encoded (its exports hold their own); the target of a call takes its own references to the
 * call's capabilities (and releases them when the call settles), so the table releases the
 * arguments' ones after delivery.
 *
 * Call contexts (docs/semantics.md#call-context) are the call context part's (call-context-part.ts):
 * it gives each call its context (the method's `callContext()`) and is told when the answer
 * settles, is finished, is cancelled, and when the session ends. Without it (a page that did not
 * enable it) every call is served without one and its context field is not read.
 *
 * Tracing (call-tracer.ts): with a tracer, every call gets a server span, parented on the trace
 * context that arrived (checked); the call's context field is given the span's trace context before
 * the call context part reads it, so the method's context carries it and the calls it makes are the
 * span's children. The session's call tracing keeps the span; this table tells it when the call
 * ends: its return is sent, the caller cancels or finishes it, or the session ends.
 */
export class AnswerTable {
  readonly #port: AnswerPort;
  readonly #maxAnswers: number;
  readonly #contexts: CallContextPart | undefined;
  /** Made with the first answer (an idle session holds no table). */
  #answers: IdTable<ResultHandler> | undefined;
  /**
   * Stand-ins for answers the peer named after their finishing `Return` (version 5), until its
   * `AnswerCopy`; made with the first (most sessions never make one).
   */
  #standIns: Map<number, PromiseHandler> | undefined = undefined;
  /** The session's call tracing, or `undefined`: tracing is off. */
  readonly #tracing: CallTracing | undefined;
  /** Counts received frames (see {@link frameArrived_}): a call knows which frame brought it. */
  #frame = 0;
  /** Calls that the last frame brought and that have not settled yet (see {@link callsRunning_}). */
  #running = 0;
  /**
   * Calls the peer finished before their `Return` that have not settled yet: no longer answers, but
   * still running (or queued) with their arguments, so still the peer's outstanding calls for
   * `maxAnswers` (a peer sending `Call` then `Finish` again and again would otherwise run any number).
   */
  #finishedRunning = 0;

  /**
   * @param port what the table sends through (the session itself: no closures)
   * @param maxCallTimeoutMs the longest remaining time a call may declare (longer is cut to it)
   * @param tracing makes a server span per call (call-tracer.ts); `undefined` traces nothing
   */
  constructor(port: AnswerPort, maxAnswers: number, maxCallTimeoutMs: number, tracing?: CallTracing) {
    this.#port = port;
    this.#maxAnswers = maxAnswers;
    this.#contexts = createCallContextPart(maxCallTimeoutMs);
    this.#answers = undefined;
    this.#tracing = tracing;
  }

  /** @internal A frame arrived: the calls it brings are counted by {@link callsRunning_} until they settle. */
  frameArrived_(): void {
    this.#frame++;
    this.#running = 0;
  }

  /**
   * @internal How many calls of the last frame have not settled: their returns are on the way in this
   * turn (a pipelined chain's, a batch's), so the outbox waits for the turn's end to send them together.
   */
  get callsRunning_(): number {
    return this.#running;
  }

  /** Live answers, and stand-ins waiting for their `AnswerCopy`. */
  get size(): number {
    return (this.#answers?.size ?? 0) + (this.#standIns?.size ?? 0);
  }

  /** Whether `questionId` is a live answer. */
  has(questionId: number): boolean {
    return this.#answers?.has(questionId) ?? false;
  }

  /**
   * The peer named its question `id` (a `ReceiverAnswer` descriptor): the answer, with one more
   * reference owned by the caller. From version 5 an answer that is not live may have finished
   * before the descriptor arrived: it stands for a local promise that the peer's `AnswerCopy`
   * settles.
   *
   * @throws ProtocolViolation when there is no such answer (before version 5); LimitViolation when
   *   a stand-in would pass `maxAnswers`
   */
  retain(id: number): ResultHandler {
    const answer = this.#answers?.get(id);
    if (answer !== undefined) {
      answer.retain();
      return answer;
    }
    if (this.#port.protocolVersion < finishingReturnVersion)
      throw new ProtocolViolation(`the peer named answer ${id}, which does not exist`);
    const standIns = (this.#standIns ??= new Map<number, PromiseHandler>());
    let standIn = standIns.get(id);
    if (standIn === undefined) {
      if (this.#outstanding >= this.#maxAnswers) throw this.#full();
      // The map's reference, given back at the copy or the session's end.
      standIn = new PromiseHandler();
      standIns.set(id, standIn);
    }
    standIn.retain();
    return standIn;
  }

  /** The peer has more answers (and stand-ins) outstanding than `maxAnswers`. */
  /** The peer's outstanding calls, against `maxAnswers`: answers, stand-ins, and calls finished early still running. */
  get #outstanding(): number {
    return this.size + this.#finishedRunning;
  }

  #full(): LimitViolation {
    return new LimitViolation(`the peer has more than ${this.#maxAnswers} calls outstanding`, 'maxAnswers');
  }

  /**
   * `AnswerCopy` (version 5): the peer's copy of an answer whose `Return` finished it; the stand-in
   * made for it settles as the answer did, and goes. Ignored when there is none (every descriptor
   * naming it arrived while it was live).
   *
   * @throws ProtocolViolation before version 5, or when the copy holds a descriptor
   * @internal
   */
  receiveCopy_(message: AnswerCopyMessage, carried: boolean): void {
    requireVersion(this.#port, finishingReturnVersion, 'an answer copy');
    if (carried) throw new ProtocolViolation('an answer copy with a capability');
    const standIns = this.#standIns;
    const standIn = standIns?.get(message[1]);
    if (standIn === undefined) return;
    standIns!.delete(message[1]);
    standIn.settle(
      message[2] === returnKindValue
        ? { kind: 'value', value: message[3] }
        : { kind: 'error', error: message[3] },
    );
    standIn.release();
  }

  /**
   * `Call`: delivers the call to its target and records the answer. `carried` says whether its
   * payload named a capability or a stream (`PayloadContext.carried_`): without one its arguments
   * hold no proxy, and are not walked for any.
   *
   * @throws ProtocolViolation for a question id in use or a target that does not exist;
   *   LimitViolation past `maxAnswers`
   * @internal
   */
  receiveCall_(call: CallMessage, exports: ExportTable, carried: boolean): void {
    const questionId = call[1];
    const targetKind = call[2];
    const targetId = call[3];
    const answers = (this.#answers ??= new IdTable<ResultHandler>());
    if (answers.has(questionId)) throw new ProtocolViolation(`question ${questionId} is already in use`);
    if (this.#outstanding >= this.#maxAnswers) throw this.#full();
    const target = targetKind === targetKindExport ? exports.handler(targetId) : answers.get(targetId);
    if (target === undefined) {
      if (targetKind !== targetKindExport && this.#port.protocolVersion >= finishingReturnVersion) {
        this.#answerFinishedTarget(questionId, call[4], call[5]);
        return;
      }
      throw new ProtocolViolation(
        `call on ${targetKind === targetKindExport ? 'export' : 'answer'} ${targetId}, which does not exist`,
      );
    }
    const args = call[5];
    let field = call[6];
    if (field !== undefined) requireVersion(this.#port, callContextVersion, "a call's context");
    const tracing = this.#tracing;
    const method = call[4];
    if (tracing !== undefined) field = tracing.receive(questionId, method, field);
    const context: CallScope | undefined = this.#contexts?.forCall(questionId, field);
    // Decoded for this call alone: a local target need not copy its data, nor its result's, nor
    // walk it for proxies when its payload named none.
    markSerialized(args, carried);
    let result: ResultHandler;
    try {
      result =
        tracing === undefined
          ? target.call(method, args, context)
          : tracing.dispatch(questionId, target, method, args, context);
    } finally {
      markSerialized(undefined);
    }
    // The target made its own copies of the capabilities it was given (a payload that named none
    // holds none: its data is not walked).
    if (carried) releaseCapabilities(args);
    answers.set(questionId, result);
    const frame = this.#frame;
    this.#running++;
    result.onSettled((settlement) => {
      if (frame === this.#frame) this.#running--;
      this.#sendReturn(questionId, settlement, result);
    });
  }

  /**
   * A call pipelined on an answer that is gone (version 5): its finishing `Return` was sent before
   * the call arrived, and the caller, which had that `Return` first, settles the call as it said
   * (`TargetFinished`). Nothing is dispatched or kept: the arguments' capabilities are released and
   * their streams aborted, as for any call that never reaches its target.
   */
  #answerFinishedTarget(questionId: number, method: string, args: unknown[]): void {
    releaseCapabilities(args);
    abortStreamsIn(args, new NotCapabilityError(method, 'a finished answer'));
    if (!this.#port.isTerminated) this.#port.send([messageTypeReturn, questionId, returnKindTargetFinished]);
  }

  #sendReturn(questionId: number, settlement: Settlement, result: ResultHandler): void {
    // The call is over: its context stops (its deadline timer), and a later `Cancel` does nothing.
    // Only while the id is still this call's: a call the peer finished early had its context ended
    // then, and the peer may have used the id again for a call whose context this must not end.
    if (this.#answers?.get(questionId) === result) {
      this.#contexts?.settled(questionId);
      this.#tracing?.settled(questionId, settlement);
    }
    const port = this.#port;
    if (port.isTerminated) {
      if (settlement.kind === 'value') releaseCarriedCapabilities(settlement.value);
      return;
    }
    try {
      if (settlement.kind === 'capability') {
        port.send(
          [messageTypeReturn, questionId, returnKindCapability, port.describe(settlement.handler)],
          true,
        );
        return;
      }
      let carried: boolean;
      if (settlement.kind === 'value') {
        try {
          port.send([messageTypeReturn, questionId, returnKindValue, settlement.value], true);
        } catch (error) {
          // The callee returned something that cannot cross the wire: the caller gets that error,
          // and streams in the value go nowhere.
          abortStreamsIn(settlement.value, error);
          port.sendWithError_([messageTypeReturn, questionId, returnKindError, error], 3);
        } finally {
          // Read before the release below, whose `Release` messages are encoded too.
          carried = lastEncodingCarried();
          // The capabilities in returned data belong to the result (the callee's moved into it):
          // once encoded, the exports hold their own references and the peer owns the rest.
          releaseCarriedCapabilities(settlement.value);
        }
      } else {
        port.sendWithError_([messageTypeReturn, questionId, returnKindError, settlement.error], 3);
        carried = lastEncodingCarried();
      }
      // A finishing return (version 5): the caller sends no `Finish`, so the answer goes now. (An
      // answer the peer finished before its return, whose id it may have used again, is not this one.)
      if (!carried && port.protocolVersion >= finishingReturnVersion) {
        const answers = this.#answers!;
        if (answers.get(questionId) === result) {
          answers.delete(questionId);
          result.release();
        }
      }
    } catch (error) {
      port.returnFailed_(error);
    }
  }

  /**
   * `Finish`: the peer sends no more calls on this answer; its reference is released.
   *
   * @throws ProtocolViolation when there is no such answer
   */
  finish(questionId: number): void {
    const answers = this.#answers;
    const answer = answers?.get(questionId);
    if (answer === undefined)
      throw new ProtocolViolation(`finish for answer ${questionId}, which does not exist`);
    answers!.delete(questionId);
    // A `Finish` before the `Return` (the caller gave up on the call): a context the call still has
    // is cancelled now, and the call counts against maxAnswers until it settles.
    this.#contexts?.finished(questionId);
    this.#tracing?.cancelled(questionId, false);
    // A handler that does not say whether it settled is taken as running: its listener runs at once if it has.
    if (!(answer as { readonly isSettled?: boolean }).isSettled) {
      this.#finishedRunning++;
      answer.onSettled(() => this.#finishedRunning--);
    }
    answer.release();
  }

  /**
   * `Cancel`: the caller cancelled the call; its signal fires with `CallAbortError`, or
   * `CallTimeoutError` when the caller's deadline passed (`timedOut`; a call not dispatched yet is
   * never dispatched). Ignored when the answer settled (the `Cancel` crossed the `Return`) or its
   * call carried no context, and from version 5 when there is no such answer (the `Cancel` crossed
   * the `Return` that finished it).
   *
   * @throws ProtocolViolation when there is no such answer, before version 5
   */
  cancel(questionId: number, timedOut: boolean): void {
    if (this.#answers?.has(questionId) !== true) {
      // From version 5 a `Cancel` may cross the `Return` that finished its answer.
      if (this.#port.protocolVersion >= finishingReturnVersion) return;
      throw new ProtocolViolation(`cancel for answer ${questionId}, which does not exist`);
    }
    this.#contexts?.cancel(questionId, timedOut);
    this.#tracing?.cancelled(questionId, timedOut);
  }

  /**
   * The session ended: the signals of the calls still being served fire with `aborted`, then every
   * answer's reference is released.
   * @internal
   */
  abortAll_(aborted: AbortedError): void {
    this.#contexts?.abortAll_(aborted);
    this.#tracing?.endAll(aborted);
    const standIns = this.#standIns;
    if (standIns !== undefined) {
      const waiting = [...standIns.values()];
      standIns.clear();
      for (const standIn of waiting) {
        standIn.settle({ kind: 'error', error: aborted });
        standIn.release();
      }
    }
    if (this.#answers === undefined) return;
    const answers = this.#answers.drain();
    for (const answer of answers) answer.release();
  }
}
