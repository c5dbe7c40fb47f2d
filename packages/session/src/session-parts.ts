import type { AbortedError } from '@msc/eventual';
import type { Codec } from '@msc/serialization';
import type { Connection } from '@msc/transport';
import { type AnswerPort, AnswerTable } from './answer-table.ts';
import type { SessionRole } from './authenticator.ts';
import type { CallTracing } from './call-tracer.ts';
import { CapabilityCodec, type PayloadContext } from './capability-codec.ts';
import { Embargoes } from './embargo.ts';
import { ExportTable } from './export-table.ts';
import { ImportTable, type ResolvePort } from './import-table.ts';
import type { SessionLimits } from './limits.ts';
import { type PromiseExportPort, PromiseExports } from './promise-exports.ts';
import { type QuestionPort, QuestionTable } from './question-table.ts';
import type { SessionPort } from './remote-handlers.ts';
import type { SessionStats } from './session-options.ts';
import { createStreamPart, type StreamPart } from './stream-part.ts';
import type { SessionTracer } from './trace.ts';
import type { Message } from './wire/message.ts';
import { Outbox, type OutboxPort } from './wire/outbox.ts';
import {
  callContextVersion,
  cancelReasonDeadline,
  messageTypeAnswerCopy,
  messageTypeCall,
  messageTypeCancel,
  messageTypeDisembargoReply,
  messageTypeDisembargoRequest,
  messageTypeFinish,
  messageTypeRelease,
  messageTypeResolve,
  messageTypeReturn,
  messageTypeRevoke,
  messageTypeStreamCancel,
  messageTypeStreamCredit,
  messageTypeStreamDelivered,
  messageTypeStreamEnd,
  messageTypeStreamItems,
  promiseResolutionVersion,
  revocationVersion,
} from './wire/protocol.ts';
import { requireVersion } from './wire/violations.ts';

/** What the parts need from their session: it is the port of each (no closures per session). */
export type PartsPort = SessionPort &
  OutboxPort &
  QuestionPort &
  AnswerPort &
  PromiseExportPort &
  ResolvePort;

/**
 * The working parts of one session, made together and ended together: the outbox, the four tables,
 * the loopback embargoes, the promise exports, the streams (an optional part: stream-part.ts) and
 * the capability codec (each in the file named after it), and which part each message of the
 * session step goes to. The session (`session.ts`) conducts
 * them: it owns the options, the establishment and the order of the end.
 */
export class SessionParts {
  readonly outbox: Outbox;
  readonly capabilities: CapabilityCodec;
  readonly questions: QuestionTable;
  readonly answers: AnswerTable;
  readonly exports: ExportTable;
  readonly imports: ImportTable;
  readonly embargoes: Embargoes;
  readonly promises: PromiseExports;
  readonly streams: StreamPart;
  readonly #port: PartsPort;

  /**
   * @param port the session
   * @param maxFrameBytes the session's frame cap (its own limit, or the connection's if lower)
   * @param codec the serializer the session's payloads use once established
   * @param callTracing the session's call tracing (call-tracer.ts), or `undefined`
   */
  constructor(
    port: PartsPort,
    connection: Connection,
    role: SessionRole,
    limits: SessionLimits,
    maxFrameBytes: number,
    codec: Codec<PayloadContext>,
    tracer: SessionTracer | undefined,
    callTracing: CallTracing | undefined,
  ) {
    this.#port = port;
    this.outbox = new Outbox(connection, port, tracer, maxFrameBytes, limits.maxBufferedBytes);
    this.exports = new ExportTable(limits.maxExports, (id, error) => {
      // A peer of version 1 is not told: its calls reach the revoked capability and fail there.
      if (port.protocolVersion >= revocationVersion)
        this.outbox.sendWithError_([messageTypeRevoke, id, error], 2);
    });
    this.imports = new ImportTable(port, limits.maxImports);
    this.embargoes = new Embargoes(this.outbox);
    this.questions = new QuestionTable(port, port, callTracing);
    this.answers = new AnswerTable(port, limits.maxAnswers, limits.maxCallTimeoutMs, callTracing);
    this.streams = createStreamPart(this.outbox, role, limits, () => port.protocolVersion);
    this.promises = new PromiseExports(port, this.exports);
    this.capabilities = new CapabilityCodec(
      codec,
      port,
      this.questions,
      this.answers,
      this.exports,
      this.imports,
      this.streams,
      this.promises,
    );
  }

  /**
   * Hands a parsed message of the session step (a call, a return, a release, an embargo, a resolve
   * or a stream message) to the part that owns it. Establishment's messages and `Abort` are the session's own.
   *
   * @throws ProtocolViolation or LimitViolation from the part, for input the peer may not send
   */
  route(message: Message, context: PayloadContext): void {
    switch (message[0]) {
      case messageTypeCall:
        this.answers.receiveCall_(message, this.exports, context.carried_);
        break;
      case messageTypeReturn:
        this.questions.receiveReturn_(message, context.consumers, context.carried_);
        break;
      case messageTypeAnswerCopy:
        this.answers.receiveCopy_(message, context.carried_);
        break;
      case messageTypeFinish:
        this.answers.finish(message[1]);
        break;
      case messageTypeRelease:
        if (this.exports.release(message[1], message[2])) this.promises.released(message[1]);
        break;
      case messageTypeDisembargoRequest:
        this.embargoes.receiveRequest_(message, this.answers, this.exports);
        break;
      case messageTypeResolve:
        requireVersion(this.#port, promiseResolutionVersion, 'a resolve message');
        this.imports.receiveResolve_(message, this.#port);
        break;
      case messageTypeDisembargoReply:
        this.embargoes.receiveReply_(message);
        break;
      case messageTypeRevoke:
        requireVersion(this.#port, revocationVersion, 'a revoke message');
        this.imports.receiveRevoke_(message);
        break;
      case messageTypeStreamItems:
      case messageTypeStreamCredit:
      case messageTypeStreamEnd:
      case messageTypeStreamCancel:
      case messageTypeStreamDelivered:
        this.streams.receive_(message);
        break;
      case messageTypeCancel:
        requireVersion(this.#port, callContextVersion, 'a cancel message');
        this.answers.cancel(message[1], message[2] === cancelReasonDeadline);
        break;
    }
  }

  /** Current table sizes (docs/semantics.md#diagnostics). */
  stats(): SessionStats {
    return {
      questions: this.questions.size,
      answers: this.answers.size,
      imports: this.imports.size,
      exports: this.exports.size,
      embargoes: this.embargoes.size,
      streams: this.streams.size,
    };
  }

  /**
   * The session ended (after its outbox and connection): questions settle with `aborted`, embargoes
   * let their held calls go on to this side's own object, streams abort, imports are revoked, exports and answers are released (the signals of
   * the calls this side was serving fire), in that order.
   * @internal
   */
  abortAll_(aborted: AbortedError): void {
    this.questions.abortAll_(aborted);
    this.embargoes.abortAll_();
    this.streams.abortAll_(aborted);
    this.imports.abortAll_(aborted);
    this.exports.abortAll_();
    this.answers.abortAll_(aborted);
  }
}
