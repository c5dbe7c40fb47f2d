import { AbortedError, type Proxy } from '@msc/eventual';
import {
  type CallScope,
  type CapabilityHandler,
  createProxy,
  failedCall,
  type PromiseHandler,
  type ResultHandler,
} from '@msc/eventual/handler';
import type { CloseReason, Connection } from '@msc/transport';
import type { CapabilityCodec, PayloadContext } from './capability-codec.ts';
import { ConnectionReceiver, type ConnectionReceiverPort } from './connection-receiver.ts';
import { type Handshake, type HandshakePort, refuseAfterEstablishment } from './handshake.ts';
import type { ImportHandler } from './remote-handlers.ts';
import type { ResumableConnection, ResumeStatus } from './resume/resume-part.ts';
import { assembleSession } from './session-assembly.ts';
import {
  SessionError,
  type SessionStep,
  sessionCodeOfClose,
  type TerminationReason,
} from './session-error.ts';
import type { SessionOptions, SessionStats } from './session-options.ts';
import type { PartsPort, SessionParts } from './session-parts.ts';
import { terminateOnAbort } from './session-signal.ts';
import type { SessionTracer } from './trace.ts';
import { refusedValues, type ValuesChannel, type ValuesReceiver } from './value-mode.ts';
import { type FrameReceiver, splitFrame } from './wire/frame-layout.ts';
import { type Message, parseMessage } from './wire/message.ts';
import {
  type Descriptor,
  messageTypeAbort,
  messageTypeAuthenticate,
  messageTypeConfigure,
  messageTypeRelease,
  type TargetKind,
} from './wire/protocol.ts';
import { classifyFailure, describeError } from './wire/violations.ts';

/**
 * One session of the MSC protocol over one transport connection (RPC5). The session is the
 * conductor of its parts, each in the file named after it: the establishment (`handshake.ts`,
 * `early-inbox.ts`), the working parts made and routed to together (`session-parts.ts`: the four
 * tables `question-table.ts`, `answer-table.ts`, `export-table.ts`, `import-table.ts`, the loopback
 * embargoes `embargo.ts`, the streams `stream-bridge.ts`, the capability codec `capability-codec.ts`)
 * and the wire (`wire/`: the vocabulary, the parsing of received messages, the frame layout and the
 * outbox), put together from the options by `session-assembly.ts`. It owns the establishment,
 * routes each parsed message, and ends the parts in order.
 *
 * Failure: when the session ends for any reason (either side terminates, the connection breaks, the
 * peer breaks the protocol or a limit), every question settles with `AbortedError`, every import is
 * revoked, every export the peer held is released and {@link Session.closed} resolves with the
 * reason. Nothing hangs.
 *
 * Memory (an idle session is what a server holds by the thousand): the session itself is the port
 * of every part (its internal methods, on the prototype), so no part holds closures; the tables
 * make their maps with their first entry; the handshake is dropped once established.
 */
export class Session<Peer = unknown>
  implements PartsPort, HandshakePort, FrameReceiver, ConnectionReceiverPort, ValuesReceiver
{
  readonly #connection: Connection;
  /** The connection when the session has the `resume` option (it is `#connection` then). */
  readonly #resumable: ResumableConnection | undefined;
  readonly #maxFrameBytes: number;
  readonly #tracer: SessionTracer | undefined;
  /** The establishment; `undefined` once established (its results are kept below). */
  #handshake: Handshake | undefined;
  #peer: Peer | undefined;
  #protocolVersion: number;
  readonly #established: Promise<void>;
  /** The peer's root (settled by its `Configure`). */
  readonly #remoteRoot: PromiseHandler;
  /** The session's own reference to a fixed root, released when the session ends. */
  readonly #rootHandler: CapabilityHandler | undefined;
  readonly #parts: SessionParts;
  /** Values mode, when enabled and the connection carries values (offered in the hello). */
  readonly #values: ValuesChannel | undefined;
  #terminated: SessionError | undefined = undefined;
  #aborted: AbortedError | undefined = undefined;
  readonly #closed: Promise<TerminationReason>;
  #resolveClosed!: (reason: TerminationReason) => void;

  /**
   * Starts a session: sends this side's hello at once and runs establishment as frames arrive.
   *
   * @throws RangeError when a limit is not a positive integer
   * @throws TypeError naming `enableAuthentication()` when the authenticator is not
   *   `unauthenticated()`'s and authentication is not enabled (the browser entry)
   */
  constructor(options: SessionOptions<Peer>) {
    const [connection, resumable, rootHandler, tracer, maxFrameBytes, parts, values, handshake] =
      assembleSession(options as SessionOptions<unknown>, this);
    this.#connection = connection;
    this.#resumable = resumable;
    this.#rootHandler = rootHandler;
    this.#tracer = tracer;
    this.#maxFrameBytes = maxFrameBytes;
    this.#parts = parts;
    this.#values = values;
    this.#handshake = handshake;
    this.#peer = undefined;
    this.#protocolVersion = 0;
    this.#established = handshake.established;
    this.#remoteRoot = handshake.remoteRoot;
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });

    if (options.signal?.aborted) {
      this.#terminate(
        { step: 'transport', code: 'closed', message: 'aborted before start', remote: false },
        false,
      );
      return;
    }
    terminateOnAbort(options.signal, this.#closed, this);
    handshake.start();
    connection.start(new ConnectionReceiver(this));
    try {
      connection.send(handshake.helloFrame_());
    } catch (error) {
      this.#terminate(
        { step: 'transport', code: 'connection-lost', message: describeError(error), remote: false },
        false,
      );
    }
  }

  /**
   * Resolves when the session is established (version, authentication and configuration agreed);
   * rejects with {@link SessionError} when establishment fails.
   */
  get established(): Promise<void> {
    return this.#established;
  }

  /** Resolves (never rejects) with the reason once the session has ended. */
  get closed(): Promise<TerminationReason> {
    return this.#closed;
  }

  /** What the authenticator learned about the peer; `undefined` before authentication. */
  get peer(): Peer | undefined {
    const handshake = this.#handshake;
    return handshake === undefined ? this.#peer : (handshake.peer as Peer | undefined);
  }

  /** The agreed protocol version (0 before the hellos were exchanged). */
  get protocolVersion(): number {
    const handshake = this.#handshake;
    return handshake === undefined ? this.#protocolVersion : handshake.protocolVersion;
  }

  /** Whether the session has ended. */
  get isTerminated(): boolean {
    return this.#terminated !== undefined;
  }

  /** The session's resumption now (docs/resumption.md); `undefined` without the `resume` option. */
  get resumption(): ResumeStatus | undefined {
    return this.#resumable?.status();
  }

  /** The connection's addresses, as this side sees them. */
  get addresses(): { readonly local: string; readonly remote: string } {
    return { local: this.#connection.localAddress, remote: this.#connection.remoteAddress };
  }

  /**
   * A new proxy instance for the peer's root capability. Usable at once: calls made before the
   * session is established are sent, in order, once the peer's root arrives; if establishment fails
   * they fail with `AbortedError`.
   */
  remoteRoot<I>(): Proxy<I> {
    this.#remoteRoot.retain();
    return createProxy(this.#remoteRoot) as Proxy<I>;
  }

  /**
   * Ends the session: the peer is told why (when the connection still works), every eventual value
   * spanning the session aborts, and the connection closes. Resolves once the session has ended.
   */
  async terminate(message = 'the session was terminated'): Promise<void> {
    this.#terminate({ step: this.#step, code: 'closed', message, remote: false }, true);
    await this.#closed;
  }

  /** Current table sizes (docs/semantics.md#diagnostics). */
  stats(): SessionStats {
    return this.#parts.stats();
  }

  /** Sends a call to one of the peer's exports or answers (see `SessionPort`). */
  sendCall(
    targetKind: TargetKind,
    targetId: number,
    method: string,
    args: readonly unknown[],
    context: CallScope | undefined,
  ): ResultHandler {
    if (this.#aborted !== undefined) {
      return failedCall(args, this.#aborted);
    }
    return this.#parts.questions.ask(targetKind, targetId, method, args, context);
  }

  /** @internal The last reference to an import went: tell the peer (see `SessionPort`). */
  releaseImport_(handler: ImportHandler): void {
    if (this.#terminated !== undefined || !this.#parts.imports.remove(handler)) return;
    this.#parts.outbox.sendLazily_([messageTypeRelease, handler.id, handler.received]);
  }

  // ---------------------------------------------------------------- the parts' port (internal)

  /** Queues a message; returns its encoded size (see `Outbox.send`). */
  send(message: unknown[], early = false): number {
    return this.#parts.outbox.send(message, early);
  }

  /** @internal Queues a message nobody waits for (see `Outbox.sendLazily_`). */
  sendLazily_(message: unknown[]): void {
    this.#parts.outbox.sendLazily_(message);
  }

  /** @internal Queues a message carrying an error (see `Outbox.sendWithError_`). */
  sendWithError_(message: unknown[], errorIndex: number): void {
    this.#parts.outbox.sendWithError_(message, errorIndex);
  }

  /** Encodes a message (see `CapabilityCodec.encode`). */
  encode(message: unknown[], gather: boolean): ReturnType<CapabilityCodec['encode']> {
    return this.#parts.capabilities.encode(message, gather);
  }

  /** Names a capability to the peer (see `CapabilityCodec.describe`). */
  describe(handler: CapabilityHandler): Descriptor {
    return this.#parts.capabilities.describe(handler);
  }

  /** Turns a descriptor into a handler (see `CapabilityCodec.resolve`). */
  resolve(descriptor: Descriptor): CapabilityHandler {
    return this.#parts.capabilities.resolve(descriptor);
  }

  /** Holds calls to `handler` behind an embargo (see `Embargoes.hold`). */
  embargo(kind: TargetKind, targetId: number, handler: CapabilityHandler): CapabilityHandler {
    return this.#parts.embargoes.hold(kind, targetId, handler);
  }

  /** Delivers a message the handshake held, or one the values channel read (value-mode.ts). */
  deliver(message: Message, context: PayloadContext): void {
    this.#receive(message, context);
  }

  /** Ends the session (for the handshake). */
  end(reason: TerminationReason, notifyPeer: boolean): void {
    this.#terminate(reason, notifyPeer);
  }

  /** @internal Whether the outbox should wait for the end of the turn's microtasks (see `OutboxPort`). */
  expectsMoreThisTurn_(): boolean {
    const parts = this.#parts;
    return this.#handshake !== undefined || parts.answers.callsRunning_ > 0 || parts.streams.size > 0;
  }

  /** @internal Sending failed: the session ends (for the outbox). */
  sendFailed_(code: 'connection-lost' | 'limit', message: string): void {
    const limit = code === 'limit' ? { limit: 'maxBufferedBytes' } : {}; // the outbox's only limit
    this.#terminate({ step: this.#step, code, message, remote: false, ...limit }, false);
  }

  /** @internal A return or resolve could not be sent: the session ends (answers, promise exports). */
  returnFailed_(error: unknown): void {
    this.#receiveFailed(error);
  }

  /** @internal The peer's input failed a check (for the handshake). */
  receiveFailed_(error: unknown): void {
    this.#receiveFailed(error);
  }

  /** @internal Established: keeps what the handshake learned and drops its state. */
  handshakeDone_(): void {
    const handshake = this.#handshake;
    if (handshake === undefined) return;
    this.#peer = handshake.peer as Peer | undefined;
    this.#protocolVersion = handshake.protocolVersion;
    this.#handshake = undefined;
    // Both sides are established (each sent its Configure and got the peer's), so from here on the
    // peer accepts values frames: everything after this goes in the value form.
    if (handshake.valuesAgreed_) this.#parts.outbox.useValues_(this.#values!.agree());
  }

  /** @internal One message of a received frame (see `splitFrame`). */
  receiveMessage_(bytes: Uint8Array): void {
    const capabilities = this.#parts.capabilities;
    const context = capabilities.context();
    const handshake = this.#handshake;
    const message = parseMessage(capabilities.decode(bytes, context, handshake?.early));
    this.#tracer?.message('in', message, bytes);
    if (handshake === undefined || !handshake.hold(message, context, bytes.length)) {
      this.#receive(message, context);
    }
  }

  /** The step a failure now belongs to. */
  get #step(): SessionStep {
    const handshake = this.#handshake;
    return handshake === undefined ? 'session' : handshake.step;
  }

  // ---------------------------------------------------------------- receiving

  /** @internal The connection closed (see `ConnectionReceiver`). */
  connectionClosed_(reason: CloseReason): void {
    this.#terminate(
      {
        step: this.#step,
        code: sessionCodeOfClose(reason.code),
        message: `the connection closed (${reason.code}): ${reason.message}`,
        remote: true,
      },
      false,
    );
  }

  /** @internal A frame arrived (see `ConnectionReceiver`). */
  receiveFrame_(frame: Uint8Array): void {
    if (this.#terminated !== undefined) return;
    this.#parts.answers.frameArrived_();
    try {
      const handshake = this.#handshake;
      if (handshake === undefined || handshake.configured)
        splitFrame(frame, this.#maxFrameBytes, 'maxFrameBytes', this);
      else if (handshake.awaitingHello_) handshake.receiveHello_(frame);
      else splitFrame(frame, handshake.frameBytes, 'maxHandshakeFrameBytes', this);
    } catch (error) {
      this.#receiveFailed(error);
    }
  }

  /** @internal A values frame arrived (see `ConnectionReceiver`), checked by the values channel. */
  receiveValues_(values: unknown, declared: number): void {
    this.#parts.answers.frameArrived_();
    try {
      (this.#values ?? refusedValues).receive(values, declared, this);
    } catch (error) {
      this.#receiveFailed(error);
    }
  }

  /** Routes a parsed message: `Abort` and establishment's messages here, the rest to its part. */
  #receive(message: Message, context: PayloadContext): void {
    if (message[0] === messageTypeAbort) {
      const [, step, code, text] = message;
      this.#terminate({ step, code, message: text, remote: true }, false);
    } else if (message[0] !== messageTypeAuthenticate && message[0] !== messageTypeConfigure) {
      this.#parts.route(message, context);
    } else if (this.#handshake === undefined) refuseAfterEstablishment(message[0]);
    else if (message[0] === messageTypeAuthenticate) this.#handshake.receiveAuthenticate_(message);
    else this.#handshake.receiveConfigure_(message);
  }

  /** The peer's input failed a check: the session ends with `protocol` or `limit`, telling the peer. */
  #receiveFailed(error: unknown): void {
    this.#terminate({ step: this.#step, remote: false, ...classifyFailure(error) }, true);
  }

  // ---------------------------------------------------------------- termination

  /**
   * Ends the session (once). Order: first the peer is told why (if asked and the connection
   * works) and the connection closes; then each part ends: establishment stops, questions settle
   * with `AbortedError`, embargoes release their held calls to this side's own object, streams
   * abort, imports are revoked, exports and answers are
   * released; finally `closed` resolves.
   */
  #terminate(reason: TerminationReason, notifyPeer: boolean): void {
    if (this.#terminated !== undefined) return;
    const error = new SessionError(reason);
    this.#terminated = error;
    const aborted = new AbortedError(`the session ended: ${reason.message}`, { cause: error });
    this.#aborted = aborted;

    this.#parts.outbox.abortAll_(
      notifyPeer ? [messageTypeAbort, reason.step, reason.code, reason.message] : undefined,
    );
    if (notifyPeer || (reason.code === 'closed' && reason.remote)) {
      void this.#connection.close({ code: 'normal', message: reason.message });
    } else {
      this.#connection.abort(error);
    }
    this.#handshake?.abortAll_(error, aborted);
    this.#rootHandler?.release();
    this.#parts.abortAll_(aborted);
    this.#tracer?.end(reason);
    this.#resolveClosed(reason);
  }
}
