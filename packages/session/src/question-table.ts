import type { AbortedError } from '@msc/eventual';
import {
  applyConsumerOptions,
  type CallScope,
  type CapabilityHandler,
  failedCall,
  markCarriedCapabilities,
  type ResultHandler,
  type Settlement,
} from '@msc/eventual/handler';
import type { CallTracing } from './call-tracer.ts';
import { IdTable } from './id-table.ts';
import { PromiseImportHandler } from './promise-import.ts';
import { type QuestionCanceller, QuestionHandler, type SessionPort } from './remote-handlers.ts';
import { encodeCallContext } from './wire/call-context-field.ts';
import type { ReturnMessage } from './wire/message.ts';
import {
  type CallContextField,
  type CancelReason,
  callContextVersion,
  cancelReasonAborted,
  descriptorKindReceiverAnswer,
  descriptorKindReceiverExport,
  finishingReturnVersion,
  messageTypeAnswerCopy,
  messageTypeCall,
  messageTypeCancel,
  messageTypeFinish,
  returnKindCapability,
  returnKindError,
  returnKindTargetFinished,
  returnKindValue,
  type TargetKind,
  targetKindAnswer,
} from './wire/protocol.ts';
import { ProtocolViolation } from './wire/violations.ts';

/** What the questions need from their session. */
export interface QuestionPort {
  /** Queues a message (see `Outbox.send`; `early`: a call without a context may leave at once). */
  send(message: unknown[], early?: boolean): void;
  /** @internal Queues a message nobody waits for (see `Outbox.sendLazily_`). */
  sendLazily_(message: unknown[]): void;
  /** @internal Queues a message carrying an error (see `Outbox.sendWithError_`). */
  sendWithError_(message: unknown[], errorIndex: number): void;
  /** Turns a checked capability descriptor into a handler the caller owns a reference to. */
  resolve(descriptor: readonly [kind: number, id: number]): CapabilityHandler;
  /** Holds new calls to `handler` until the calls sent to the target came back (embargo.ts). */
  embargo(targetKind: TargetKind, targetId: number, handler: CapabilityHandler): CapabilityHandler;
}

/**
 * This side's questions: the calls it made that have not returned (protocol.ts, "Tables"), keyed
 * by question ids this side chooses (counting up, never reused).
 *
 * Flow: {@link ask} sends the `Call` and opens the question; the `Return` settles it and a lazy
 * `Finish` tells the callee to drop its answer, unless the `Return` finished it (version 5: data or
 * an error without capabilities; see `receiveReturn_`). A question id is taken only once the call was
 * encoded, so a call that cannot cross the wire leaves no trace. Ownership: a capability the
 * return brings is owned by the question (see `QuestionHandler.settle`). When the session ends
 * every open question settles with the session's `AbortedError`.
 */
export class QuestionTable implements QuestionCanceller {
  readonly #port: QuestionPort;
  readonly #session: SessionPort;
  /** Made with the first question (an idle session holds no table). */
  #questions: IdTable<QuestionHandler> | undefined;
  #nextId: number;
  /** The session's call tracing (call-tracer.ts), or `undefined`: tracing is off. */
  readonly #tracing: CallTracing | undefined;

  /**
   * @param port what the table sends and resolves through (the session itself: no closures)
   * @param session what the question handlers send pipelined calls through
   * @param tracing makes a client span per call (call-tracer.ts); `undefined` traces nothing
   */
  constructor(port: QuestionPort, session: SessionPort, tracing: CallTracing | undefined) {
    this.#port = port;
    this.#session = session;
    this.#questions = undefined;
    this.#nextId = 0;
    this.#tracing = tracing;
  }

  /** Open questions. */
  get size(): number {
    return this.#questions?.size ?? 0;
  }

  /** Whether `id` is an open question. */
  has(id: number): boolean {
    return this.#questions?.has(id) ?? false;
  }

  /**
   * Sends a call and opens its question. Encoding exports the capabilities in the arguments at
   * once, so the caller may release its own.
   *
   * A call with a context that carries something (docs/semantics.md#call-context) is sent with its
   * context field, from protocol version 4 (`callContextVersion`), and its question listens to the context's signal to
   * send `Cancel` (see `QuestionHandler`); a call whose context was cancelled already is not sent.
   * With an older peer the context stays behind: the caller's result still rejects when it is
   * cancelled (the facade's `ContextResult`), the callee is not told.
   *
   * With a tracer, every call to a peer of version 4 is sent with a context field carrying its
   * client span's trace context (call-tracing.ts).
   */
  ask(
    targetKind: TargetKind,
    targetId: number,
    method: string,
    args: readonly unknown[],
    context?: CallScope,
  ): ResultHandler {
    if (this.#tracing !== undefined && this.#session.protocolVersion >= callContextVersion)
      return this.#tracing.ask(this, targetKind, targetId, method, args, context);
    if (context?.carried) return this.#askWithContext(targetKind, targetId, method, args, context);
    const id = this.#nextId;
    try {
      // No context, so no `Cancel` can follow in this turn: the call may leave early (Outbox.send).
      this.#port.send([messageTypeCall, id, targetKind, targetId, method, args], true);
    } catch (error) {
      // The call never left: streams in its arguments go nowhere, so their other ends stop waiting.
      return failedCall(args, error);
    }
    this.#nextId++;
    return this.#opened(id, targetKind, targetId, method);
  }

  /** Records the question `id` that was just sent (see {@link ask}). */
  #opened(id: number, targetKind: TargetKind, targetId: number, method: string): QuestionHandler {
    const question = new QuestionHandler(this.#session, id);
    const questions = (this.#questions ??= new IdTable<QuestionHandler>());
    if (targetKind === targetKindAnswer) {
      // Pipelined: should the target's return finish its answer before this call arrives, the peer
      // answers `TargetFinished`, and the call settles as that target did (finishing returns).
      question.target_ = questions.get(targetId);
      question.method_ = method;
    }
    questions.set(id, question);
    return question;
  }

  #askWithContext(
    targetKind: TargetKind,
    targetId: number,
    method: string,
    args: readonly unknown[],
    context: CallScope,
  ): ResultHandler {
    if (this.#session.protocolVersion < callContextVersion && !context.aborted)
      return this.ask(targetKind, targetId, method, args);
    return this.open(targetKind, targetId, method, args, encodeCallContext(context), context);
  }

  /**
   * Sends a call with context field `field` (protocol version 4) and opens its question,
   * which listens to `context` (when it carries one) to send `Cancel`. A context cancelled already
   * sends nothing: the result is its reason. The traced path (call-tracing.ts) sends through here.
   */
  open(
    targetKind: TargetKind,
    targetId: number,
    method: string,
    args: readonly unknown[],
    field: CallContextField,
    context: CallScope | undefined,
  ): ResultHandler {
    if (context?.aborted) return failedCall(args, context.reason);
    const id = this.#nextId;
    try {
      this.#port.send([messageTypeCall, id, targetKind, targetId, method, args, field]);
    } catch (error) {
      return failedCall(args, error);
    }
    this.#nextId++;
    const question = this.#opened(id, targetKind, targetId, method);
    if (context !== undefined) question.watch(context, this);
    return question;
  }

  /** The call's context was cancelled before its return: tell the peer, once (`Cancel`). */
  cancel(questionId: number, why: CancelReason): void {
    if (!this.has(questionId)) return;
    this.#port.send(
      why === cancelReasonAborted ? [messageTypeCancel, questionId] : [messageTypeCancel, questionId, why],
    );
  }

  /**
   * `Return`: settles the question. `consumers` are the stream consumer ends the payload's decoding
   * made: they get the consumer settings the caller made before the result arrived. `carried`: the
   * payload holds a descriptor.
   *
   * From protocol version 5 a return of data or an error without descriptors finishes the answer
   * (protocol.ts, `finishingReturnVersion`): no `Finish` goes out, and when this side named the
   * answer in a descriptor before the return came, the peer gets its `AnswerCopy`.
   *
   * @throws ProtocolViolation when the question is not open, or for a `TargetFinished` return the
   *   question cannot have (not pipelined on a finished answer, or before version 5)
   * @internal
   */
  receiveReturn_(message: ReturnMessage, consumers: readonly object[] | undefined, carried: boolean): void {
    const questionId = message[1];
    const kind = message[2];
    const payload = message[3];
    const questions = this.#questions;
    const question = questions?.get(questionId);
    if (question === undefined)
      throw new ProtocolViolation(`return for question ${questionId}, which is not open`);
    const finishing =
      kind !== returnKindCapability && !carried && this.#session.protocolVersion >= finishingReturnVersion;
    let settlement: Settlement | undefined;
    if (kind === returnKindTargetFinished) {
      settlement = finishing ? question.settlementOfFinishedTarget_() : undefined;
      // Refused while the question is still open, so the session's end settles it.
      if (settlement === undefined) {
        throw new ProtocolViolation(`return for question ${questionId}: its target did not finish`);
      }
    }
    // A capability is resolved while the question is still open: a descriptor refused (an export the
    // peer does not hold, an import past maxImports) ends the session, which settles the question.
    const descriptor = payload as readonly [kind: number, id: number];
    const handler =
      settlement === undefined && kind === returnKindCapability ? this.#port.resolve(descriptor) : undefined;
    questions!.delete(questionId);
    if (settlement !== undefined) {
      // TargetFinished: settled as its target (above).
    } else if (handler !== undefined) {
      const loopback =
        descriptor[0] === descriptorKindReceiverExport || descriptor[0] === descriptorKindReceiverAnswer;
      // Calls pipelined on this answer are travelling back to our own object through the peer:
      // new calls wait behind an embargo until the peer confirms they have all been sent. On a
      // promise of the peer, they travel on along its path: its resolution waits for them too.
      if (question.pipelined && handler instanceof PromiseImportHandler) handler.pipelined = true;
      settlement = {
        kind: 'capability',
        handler:
          loopback && question.pipelined
            ? this.#port.embargo(targetKindAnswer, questionId, handler)
            : handler,
      };
    } else if (kind === returnKindValue) {
      const options = question.consumerOptions;
      if (options !== undefined && consumers !== undefined)
        for (const consumer of consumers) applyConsumerOptions(consumer, options);
      // The capabilities decoded in the value are the question's until the caller awaits it.
      markCarriedCapabilities(payload);
      settlement = { kind: 'value', value: payload };
    } else {
      settlement = { kind: 'error', error: payload };
    }
    if (!finishing) this.#port.sendLazily_([messageTypeFinish, questionId]);
    else if (question.referenced_) this.#sendCopy(questionId, settlement);
    question.settle(settlement);
  }

  /**
   * The return of `questionId` finished its answer after this side named that answer in a
   * descriptor: the peer's stand-ins for it settle with this copy (`AnswerCopy`, version 5). The
   * value is data without capabilities (that is why the return finished), copied before anyone else
   * sees it; one that cannot be encoded again goes as an error saying so.
   */
  #sendCopy(questionId: number, settlement: Settlement): void {
    const value = settlement.kind === 'value';
    try {
      this.#port.send([
        messageTypeAnswerCopy,
        questionId,
        value ? returnKindValue : returnKindError,
        value ? settlement.value : (settlement as { error: unknown }).error,
      ]);
    } catch (error) {
      this.#port.sendWithError_([messageTypeAnswerCopy, questionId, returnKindError, error], 3);
    }
  }

  /** @internal The session ended: every open question settles with `error`. */
  abortAll_(error: AbortedError): void {
    if (this.#questions === undefined) return;
    const questions = this.#questions.drain();
    for (const question of questions) question.settle({ kind: 'error', error });
  }
}
