import {
  AbortedError,
  abortStreamsIn,
  Bytes,
  type CapabilityHandler,
  type ConsumerOptions,
  createProxy,
  createResult,
  handlerOf,
  isCapability,
  nothing,
  PromiseHandler,
  type Proxy,
  type ResultHandler,
  releaseCapabilities,
  Sequence,
  type Settlement,
  settledResult,
  sinkFloating,
  takeReference,
} from '@msc/eventual';
import { Codec, type ContractRegistry, DecodeError, defaultRegistry } from '@msc/serialization';
import { type CloseReason, type Connection, ConnectionClosedError } from '@msc/transport';
import { AuthenticationError, type Authenticator, type SessionRole } from './authenticator.ts';
import { registerEventualErrors } from './error-registration.ts';
import { defaultSessionLimits, type SessionLimits } from './limits.ts';
import {
  type Descriptor,
  DescriptorKind,
  type Hello,
  MessageType,
  ReturnKind,
  supportedVersions,
  TargetKind,
} from './protocol.ts';
import { ImportHandler, QuestionHandler, type SessionPort } from './remote-handlers.ts';
import {
  SessionError,
  type SessionErrorCode,
  type SessionStep,
  sessionErrorCodes,
  type TerminationReason,
} from './session-error.ts';
import { StreamBridge, streamDescriptorKind } from './stream-bridge.ts';
import type { TraceOptions } from './trace.ts';

/**
 * The root capability a side offers: a proxy, or a function that chooses one after seeing the
 * peer's authenticated identity (DESIGN §1.7). `undefined` offers `Nothing`.
 */
export type RootOption<Peer> =
  | Proxy<unknown>
  | ((peer: Peer) => Proxy<unknown> | Promise<Proxy<unknown>>)
  | undefined;

/** How a {@link Session} is made. Sessions are usually made by a `Scope`. */
export interface SessionOptions<Peer = unknown> {
  /** The transport connection; the session takes ownership of it (it closes it when it ends). */
  readonly connection: Connection;
  /** Which end of the connection this side is. */
  readonly role: SessionRole;
  /** The authentication scheme (required: there is no silent unauthenticated fallback). */
  readonly authenticator: Authenticator<Peer>;
  /** The root capability this side offers. Default: `Nothing`. */
  readonly root?: RootOption<Peer>;
  /** Protocol limits (defaults in {@link defaultSessionLimits}). */
  readonly limits?: Partial<SessionLimits>;
  /** Data contracts and error classes known to this side. Default: the serializer's default registry. */
  readonly registry?: ContractRegistry;
  /** Whether errors sent to the peer carry their stacks. Default false. */
  readonly errorStacks?: boolean;
  /** Message tracing. Default: off. */
  readonly trace?: TraceOptions;
  /** Aborting it terminates the session. */
  readonly signal?: AbortSignal;
  /** Protocol versions to offer (tests use it to exercise negotiation). Default: all supported. */
  readonly versions?: readonly number[];
}

/** Table sizes of a session, for leak checks and diagnostics. */
export interface SessionStats {
  /** Calls this side made that have not returned. */
  readonly questions: number;
  /** Calls the peer made that it has not finished. */
  readonly answers: number;
  /** Capabilities this side holds from the peer. */
  readonly imports: number;
  /** Capabilities the peer holds from this side. */
  readonly exports: number;
  /** Loopback embargoes waiting for their reply. */
  readonly embargoes: number;
  /** Wire streams (sequences and byte streams) spanning the session. */
  readonly streams: number;
}

type Phase = 'hello' | 'authenticating' | 'configuring' | 'established' | 'terminated';

interface ExportEntry {
  readonly handler: CapabilityHandler;
  /** How many times the peer received it and has not released. */
  count: number;
}

/**
 * Per-payload context of the codec hooks: what an encoding exported (so a failed encoding can be
 * undone), and the consumer settings to give streams that a decoding materializes.
 */
interface PayloadContext {
  /** The session encoding or decoding (codecs are shared between sessions). */
  readonly session: Session<any>;
  readonly exported: number[];
  readonly streams: (readonly number[])[];
  /** Consumer ends of streams a decoding made (a return applies the caller's early settings). */
  readonly consumers: object[];
}

/** A message waiting in the outbox: its encoding, and the message itself for tracing. */
interface OutgoingMessage {
  readonly bytes: Uint8Array;
  readonly message: unknown[];
}

const messageTypeNames = Object.fromEntries(Object.entries(MessageType).map(([name, type]) => [type, name]));

/**
 * One session of the MSC protocol over one transport connection (RPC5): establishment (version,
 * authentication, configuration), the four tables, calls, pipelining, capability exchange in both
 * directions, release, loopback embargoes and termination.
 *
 * Failure: when the session ends for any reason (either side terminates, the connection breaks, the
 * peer breaks the protocol or a limit), every question settles with `AbortedError`, every import is
 * revoked, every export the peer held is released and {@link Session.closed} resolves with the
 * reason. Nothing hangs.
 */
export class Session<Peer = unknown> implements SessionPort {
  readonly #connection: Connection;
  readonly #role: SessionRole;
  readonly #authenticator: Authenticator<Peer>;
  // `any`: the chooser only ever sees this session's peer; keeps `Session<P>` assignable to `Session<unknown>`.
  readonly #rootOption: RootOption<any>;
  /** This session's own reference to a fixed root, taken at construction, released at the end. */
  readonly #rootHandler: CapabilityHandler | undefined;
  readonly #limits: SessionLimits;
  readonly #codec: Codec<PayloadContext>;

  /**
   * Codecs are shared by all sessions with the same registry and settings (a codec holds encoder
   * buffers: one per session would cost memory per idle session). The hooks find their session in
   * the per-call context.
   */
  static readonly #codecs = new WeakMap<ContractRegistry, Map<string, Codec<PayloadContext>>>();

  static #sharedCodec(
    registry: ContractRegistry,
    maxFrameBytes: number,
    maxDepth: number,
    errorStacks: boolean,
  ): Codec<PayloadContext> {
    let byKey = Session.#codecs.get(registry);
    if (byKey === undefined) Session.#codecs.set(registry, (byKey = new Map()));
    const key = `${maxFrameBytes}/${maxDepth}/${errorStacks}`;
    let codec = byKey.get(key);
    if (codec === undefined) {
      codec = new Codec<PayloadContext>({
        registry,
        limits: { maxFrameBytes, maxDepth },
        errorStacks,
        hooks: {
          isReference: (value) => isCapability(value) || StreamBridge.isEndpoint(value),
          encodeReference: (value, context) => context.session.#encodeReference(value, context),
          decodeReference: (descriptor, context) => context.session.#decodeReference(descriptor, context),
        },
      });
      byKey.set(key, codec);
    }
    return codec;
  }
  readonly #trace: TraceOptions | undefined;
  readonly #traceLabel: string;
  readonly #startTime = performance.now();
  readonly #versions: readonly number[];
  /** This side's hello as sent, kept only until the transcript is built. */
  #helloBytes: Uint8Array | undefined;

  #phase: Phase = 'hello';
  #protocolVersion = 0;
  #peer: Peer | undefined = undefined;
  #terminated: SessionError | undefined = undefined;
  #aborted: AbortedError | undefined = undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  #configureSent = false;
  #configureReceived = false;
  /** Messages that arrived before this side finished its own configuration. */
  #held: [unknown[], PayloadContext][] | undefined = undefined;
  #authInbox: Uint8Array[] = [];
  #authWaiter: { resolve(message: Uint8Array): void; reject(error: unknown): void } | undefined;
  /** Aborted when the session ends during authentication; dropped once authentication is over. */
  #authAbort: AbortController | undefined = new AbortController();

  readonly #questions = new Map<number, QuestionHandler>();
  readonly #answers = new Map<number, ResultHandler>();
  readonly #imports = new Map<number, ImportHandler>();
  readonly #exports = new Map<number, ExportEntry>();
  readonly #exportIds = new Map<CapabilityHandler, number>();
  readonly #embargoes = new Map<number, { promise: PromiseHandler; handler: CapabilityHandler }>();
  readonly #streams: StreamBridge;
  #nextQuestionId = 0;
  #nextExportId = 0;
  #nextEmbargoId = 0;

  readonly #remoteRoot = new PromiseHandler();
  #outbox: OutgoingMessage[] = [];
  /** Housekeeping (`Finish`, `Release`) that rides along with the next frame instead of making its own. */
  #lazyOutbox: OutgoingMessage[] = [];
  #flushScheduled = false;
  #lazyFlushScheduled = false;

  readonly #established: Promise<void>;
  #resolveEstablished!: () => void;
  #rejectEstablished!: (error: unknown) => void;
  readonly #closed: Promise<TerminationReason>;
  #resolveClosed!: (reason: TerminationReason) => void;

  /**
   * Starts a session: sends this side's hello at once and runs establishment as frames arrive.
   *
   * @throws RangeError when a limit is not a positive integer
   */
  constructor(options: SessionOptions<Peer>) {
    this.#connection = options.connection;
    this.#role = options.role;
    this.#authenticator = options.authenticator;
    this.#rootOption = options.root;
    // Take our own reference now: the caller may dispose its root proxy as soon as we exist.
    this.#rootHandler = isCapability(options.root) ? takeReference(options.root) : undefined;
    this.#limits = { ...defaultSessionLimits, ...options.limits };
    for (const [name, value] of Object.entries(this.#limits)) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`limit ${name} must be a positive integer`);
    }
    this.#versions = options.versions ?? supportedVersions;
    this.#trace = options.trace?.level === 'off' ? undefined : options.trace;
    this.#traceLabel =
      options.trace?.label ?? `${this.#connection.localAddress} ↔ ${this.#connection.remoteAddress}`;
    const registry = options.registry ?? defaultRegistry;
    registerEventualErrors(registry);
    const maxFrameBytes = Math.min(this.#limits.maxFrameBytes, this.#connection.maxFrameBytes);
    this.#codec = Session.#sharedCodec(
      registry,
      maxFrameBytes,
      this.#limits.maxDepth,
      options.errorStacks ?? false,
    );
    this.#streams = new StreamBridge(
      {
        send: (message) => {
          if (this.#terminated === undefined) this.#send(message);
        },
        sendWithError: (message, errorIndex) => {
          if (this.#terminated === undefined) this.#sendWithError(message, errorIndex);
        },
        whenWritable: () =>
          this.#connection.bufferedBytes > streamHighWaterBytes ? this.#connection.whenDrained() : undefined,
      },
      options.role,
    );

    this.#established = new Promise<void>((resolve, reject) => {
      this.#resolveEstablished = resolve;
      this.#rejectEstablished = reject;
    });
    this.#established.catch(() => {}); // observed through `closed` as well; never unhandled
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });

    if (options.signal?.aborted) {
      this.#helloBytes = new Uint8Array(0);
      this.#terminate(
        { step: 'transport', code: 'closed', message: 'aborted before start', remote: false },
        false,
      );
      return;
    }
    options.signal?.addEventListener('abort', () => void this.terminate('the session signal was aborted'), {
      once: true,
    });

    this.#handshakeTimer = setTimeout(() => {
      this.#terminate(
        {
          step: this.#currentStep(),
          code: 'timeout',
          message: `the handshake did not finish within ${this.#limits.handshakeTimeoutMs} ms`,
          remote: false,
        },
        true,
      );
    }, this.#limits.handshakeTimeoutMs);

    const hello: Hello = {
      versions: this.#versions,
      nonce: crypto.getRandomValues(new Uint8Array(32)),
      scheme: this.#authenticator.scheme,
      addressBinding: this.#connection.addressesObservable !== false,
    };
    this.#helloBytes = ownedCopy(helloCodec().encode({ ...hello }));
    this.#traceEvent('out', 'Hello', [hello.versions, hello.scheme]);
    this.#connection.start({
      frame: (frame) => this.#receiveFrame(frame),
      closed: (reason) => this.#connectionClosed(reason),
    });
    try {
      this.#connection.send(ownedCopy(this.#helloBytes!));
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
    return this.#peer;
  }

  /** The agreed protocol version (0 before the hellos were exchanged). */
  get protocolVersion(): number {
    return this.#protocolVersion;
  }

  /** Whether the session has ended. */
  get isTerminated(): boolean {
    return this.#terminated !== undefined;
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
    this.#terminate({ step: this.#currentStep(), code: 'closed', message, remote: false }, true);
    await this.#closed;
  }

  /** Current table sizes (DESIGN §1.16). */
  stats(): SessionStats {
    return {
      questions: this.#questions.size,
      answers: this.#answers.size,
      imports: this.#imports.size,
      exports: this.#exports.size,
      embargoes: this.#embargoes.size,
      streams: this.#streams.size,
    };
  }

  // ---------------------------------------------------------------- outgoing calls (SessionPort)

  /** @internal */
  sendCall(targetKind: number, targetId: number, method: string, args: readonly unknown[]): ResultHandler {
    if (this.#aborted !== undefined) {
      abortStreamsIn(args, this.#aborted);
      return settledResult({ kind: 'error', error: this.#aborted });
    }
    const id = this.#nextQuestionId;
    try {
      // Encoding now exports the capabilities in the arguments: the caller may release its own.
      this.#send([MessageType.Call, id, targetKind, targetId, method, args]);
    } catch (error) {
      // The call never left: streams in its arguments go nowhere, so their other ends stop waiting.
      abortStreamsIn(args, error);
      return settledResult({ kind: 'error', error });
    }
    this.#nextQuestionId++;
    const question = new QuestionHandler(this, id);
    this.#questions.set(id, question);
    return question;
  }

  /** @internal */
  releaseImport(handler: ImportHandler): void {
    if (this.#terminated !== undefined || this.#imports.get(handler.id) !== handler) return;
    this.#imports.delete(handler.id);
    this.#sendLazily([MessageType.Release, handler.id, handler.received]);
  }

  // ---------------------------------------------------------------- capability descriptors

  /** Encodes one message; on failure undoes what the encoding exported, then throws. */
  #encodeMessage(message: unknown[]): Uint8Array {
    const context: PayloadContext = { session: this, exported: [], streams: [], consumers: [] };
    try {
      return this.#codec.encode(message, context);
    } catch (error) {
      // Undo what the failed encoding exported: the peer will never hear of it.
      for (const id of context.exported) this.#dropExport(id, 1);
      for (const descriptor of context.streams) this.#streams.unexport(descriptor);
      throw error;
    }
  }

  #encodeReference(value: object, context: PayloadContext): unknown {
    if (StreamBridge.isEndpoint(value)) {
      const descriptor = this.#streams.export(value);
      context.streams.push(descriptor);
      return descriptor;
    }
    const handler = handlerOf(value)!;
    const descriptor = this.#describe(handler);
    // The export holds its own reference: a fresh proxy's floating one moves away (see `proxy()`).
    sinkFloating(value);
    if (descriptor[0] === DescriptorKind.SenderExport) context.exported.push(descriptor[1]);
    return descriptor;
  }

  /**
   * How to name `handler` to the peer. A capability that came from the peer goes back as the
   * peer's own export or answer, so it becomes the original object there (no proxy of a proxy);
   * anything else becomes (or reuses) an export of this side, counted once more.
   */
  #describe(handler: CapabilityHandler): Descriptor {
    const target = handler.shorten();
    if (target instanceof ImportHandler && target.session === this) {
      return [DescriptorKind.ReceiverExport, target.id];
    }
    if (target instanceof QuestionHandler && target.session === this && this.#questions.has(target.id)) {
      return [DescriptorKind.ReceiverAnswer, target.id];
    }
    let id = this.#exportIds.get(target);
    if (id === undefined) {
      if (this.#exports.size >= this.#limits.maxExports) {
        throw new RangeError(`this session already exports ${this.#limits.maxExports} capabilities`);
      }
      id = this.#nextExportId++;
      target.retain();
      this.#exports.set(id, { handler: target, count: 1 });
      this.#exportIds.set(target, id);
    } else {
      this.#exports.get(id)!.count++;
    }
    return [DescriptorKind.SenderExport, id];
  }

  #dropExport(id: number, count: number): void {
    const entry = this.#exports.get(id);
    if (entry === undefined) return;
    entry.count -= count;
    if (entry.count > 0) return;
    this.#exports.delete(id);
    this.#exportIds.delete(entry.handler);
    entry.handler.release();
  }

  /** Turns a descriptor into a handler, with one reference owned by the caller. */
  #resolveDescriptor(descriptor: unknown): CapabilityHandler {
    if (!Array.isArray(descriptor) || descriptor.length !== 2 || !isId(descriptor[1])) {
      throw new ProtocolViolation('malformed capability descriptor');
    }
    const [kind, id] = descriptor as [number, number];
    switch (kind) {
      case DescriptorKind.SenderExport: {
        let imported = this.#imports.get(id);
        if (imported === undefined) {
          if (this.#imports.size >= this.#limits.maxImports) {
            throw new LimitViolation(`the peer sent more than ${this.#limits.maxImports} capabilities`);
          }
          imported = new ImportHandler(this, id);
          this.#imports.set(id, imported);
        }
        imported.received++;
        imported.retain();
        return imported;
      }
      case DescriptorKind.ReceiverExport: {
        const entry = this.#exports.get(id);
        if (entry === undefined)
          throw new ProtocolViolation(`the peer named export ${id}, which it does not hold`);
        entry.handler.retain();
        return entry.handler;
      }
      case DescriptorKind.ReceiverAnswer: {
        const answer = this.#answers.get(id);
        if (answer === undefined)
          throw new ProtocolViolation(`the peer named answer ${id}, which does not exist`);
        answer.retain();
        return answer;
      }
      default:
        throw new ProtocolViolation(`unknown capability descriptor kind ${String(kind)}`);
    }
  }

  #decodeReference(descriptor: unknown, context: PayloadContext): unknown {
    if (Array.isArray(descriptor) && descriptor[0] === streamDescriptorKind) {
      try {
        const endpoint = this.#streams.import(descriptor);
        context.consumers.push(endpoint);
        return endpoint;
      } catch (error) {
        throw new ProtocolViolation(describeError(error));
      }
    }
    const handler = this.#resolveDescriptor(descriptor);
    return (descriptor as Descriptor)[0] === DescriptorKind.ReceiverAnswer
      ? createResult(handler as ResultHandler)
      : createProxy(handler);
  }

  // ---------------------------------------------------------------- outgoing frames

  /**
   * Encodes a message and queues it; all messages of one turn go out as one frame (coalescing).
   *
   * @throws what encoding throws (a value that cannot cross the wire, a limit); nothing is queued
   */
  #send(message: unknown[]): void {
    const bytes = this.#encodeMessage(message);
    this.#outbox.push({ bytes, message });
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      void resolved.then(this.#flushTask);
    }
  }

  /**
   * Sends a message carrying an error at `errorIndex`; an error that cannot cross the wire is
   * replaced by a plain `Error` with its name and message.
   */
  #sendWithError(message: unknown[], errorIndex: number): void {
    try {
      this.#send(message);
    } catch (failure) {
      const error = message[errorIndex];
      const copy = message.slice();
      copy[errorIndex] = new Error(
        error instanceof Error
          ? `${error.name}: ${error.message}`
          : `a non-serializable error (${describeError(failure)})`,
      );
      this.#send(copy);
    }
  }

  /**
   * Queues a message nobody waits for (`Finish`, `Release`): it goes out with the next frame, or on
   * its own once the event loop has had a turn. Ordering: the peer needs no lazy message before any
   * later one (calls on an answer all precede its `Finish`; release counts make timing irrelevant).
   */
  #sendLazily(message: unknown[]): void {
    this.#lazyOutbox.push({ bytes: this.#encodeMessage(message), message });
    if (!this.#lazyFlushScheduled) {
      this.#lazyFlushScheduled = true;
      later(() => {
        this.#lazyFlushScheduled = false;
        if (this.#lazyOutbox.length > 0 && this.#terminated === undefined) this.#flush();
      });
    }
  }

  /**
   * Sends what the outbox holds as frames: each message as a 4-byte big-endian length and its
   * encoding, as many per frame as the frame limit allows. A frame owns its buffer (the transport
   * may transfer it).
   */
  readonly #flushTask = () => this.#flush();

  #flush(): void {
    this.#flushScheduled = false;
    let messages = this.#outbox;
    if (this.#lazyOutbox.length > 0) {
      messages = messages.length === 0 ? this.#lazyOutbox : messages.concat(this.#lazyOutbox);
      this.#lazyOutbox = [];
    }
    if (messages.length === 0) return;
    this.#outbox = [];
    if (this.#trace !== undefined) {
      for (const entry of messages) this.#traceMessage('out', entry.message, entry.bytes);
    }
    const limit = this.#codec.limits.maxFrameBytes;
    try {
      let first = 0;
      while (first < messages.length) {
        let size = 0;
        let end = first;
        while (end < messages.length) {
          const next = 4 + messages[end]!.bytes.byteLength;
          if (end > first && size + next > limit) break;
          size += next;
          end++;
        }
        if (end === first + 1 && messages[first]!.bytes[0]! >= 0x80) {
          // A frame of one message is the message itself (its first byte, a CBOR array or tag
          // header, is >= 0x80, where a length prefix's is < 0x80): no copy into a new frame.
          this.#connection.send(exclusive(messages[first]!.bytes));
          first = end;
          continue;
        }
        const frame = new Uint8Array(size);
        let offset = 0;
        for (let index = first; index < end; index++) {
          const bytes = messages[index]!.bytes;
          const length = bytes.byteLength;
          frame[offset] = length >>> 24;
          frame[offset + 1] = (length >>> 16) & 0xff;
          frame[offset + 2] = (length >>> 8) & 0xff;
          frame[offset + 3] = length & 0xff;
          frame.set(bytes, offset + 4);
          offset += 4 + length;
        }
        this.#connection.send(frame);
        first = end;
      }
      if (this.#connection.bufferedBytes > this.#limits.maxBufferedBytes) {
        this.#terminate(
          {
            step: this.#currentStep(),
            code: 'limit',
            message: `the peer is not reading: more than ${this.#limits.maxBufferedBytes} bytes wait to be sent`,
            remote: false,
          },
          false,
        );
      }
    } catch (error) {
      // The connection is closing: its receiver still gets the frames already on their way (the
      // peer's Abort with its reason among them) and then `closed()`, which ends the session.
      if (error instanceof ConnectionClosedError) return;
      this.#terminate(
        { step: this.#currentStep(), code: 'connection-lost', message: describeError(error), remote: false },
        false,
      );
    }
  }

  // ---------------------------------------------------------------- incoming frames

  #receiveFrame(frame: Uint8Array): void {
    if (this.#terminated !== undefined) return;
    try {
      if (this.#phase === 'hello') {
        this.#receiveHello(frame);
        return;
      }
      if (frame.byteLength > this.#codec.limits.maxFrameBytes) {
        throw new LimitViolation(
          `a frame of ${frame.byteLength} bytes is larger than the limit of ${this.#codec.limits.maxFrameBytes}`,
        );
      }
      if (frame.byteLength > 0 && frame[0]! >= 0x80) {
        this.#receiveEncodedMessage(frame);
        return;
      }
      let offset = 0;
      while (offset < frame.byteLength) {
        if (this.#terminated !== undefined) return;
        if (frame.byteLength - offset < 4)
          throw new ProtocolViolation('a frame ends inside a message length');
        // A 4-byte big-endian length (the multiplication keeps it unsigned).
        const length =
          frame[offset]! * 0x1000000 +
          ((frame[offset + 1]! << 16) | (frame[offset + 2]! << 8) | frame[offset + 3]!);
        if (length > frame.byteLength - offset - 4)
          throw new ProtocolViolation('a message runs past its frame');
        const bytes = frame.subarray(offset + 4, offset + 4 + length);
        offset += 4 + length;
        this.#receiveEncodedMessage(bytes);
      }
    } catch (error) {
      this.#protocolFailure(error);
    }
  }

  #receiveEncodedMessage(bytes: Uint8Array): void {
    const context: PayloadContext = { session: this, exported: [], streams: [], consumers: [] };
    const message = this.#codec.decode(bytes, context);
    if (!Array.isArray(message) || typeof message[0] !== 'number') {
      throw new ProtocolViolation('a message must be an array starting with its type');
    }
    if (this.#trace !== undefined) this.#traceMessage('in', message, bytes);
    this.#receiveMessage(message, context);
  }

  #protocolFailure(error: unknown): void {
    // A violation found inside a decoding hook (a forged id, a flood of capabilities) is the reason,
    // not the decoder's wrapper around it.
    const reason =
      error instanceof DecodeError &&
      (error.cause instanceof ProtocolViolation || error.cause instanceof LimitViolation)
        ? error.cause
        : error;
    const limit =
      reason instanceof LimitViolation ||
      (reason instanceof DecodeError && decodeLimitCodes.has(reason.code));
    this.#terminate(
      {
        step: this.#currentStep(),
        code: limit ? 'limit' : 'protocol',
        message: describeError(reason),
        remote: false,
      },
      true,
    );
  }

  #receiveHello(frame: Uint8Array): void {
    let hello: Hello;
    try {
      hello = parseHello(helloCodec().decode(frame));
    } catch (error) {
      throw new ProtocolViolation(`the first frame is not a valid hello: ${describeError(error)}`);
    }
    this.#traceEvent('in', 'Hello', [hello.versions, hello.scheme]);
    const common = hello.versions.filter((version) => this.#versions.includes(version));
    if (common.length === 0) {
      this.#terminate(
        {
          step: 'version',
          code: 'version-mismatch',
          message: `no protocol version in common: this side speaks [${this.#versions.join(', ')}], the peer speaks [${hello.versions.join(', ')}]`,
          remote: false,
        },
        true,
      );
      return;
    }
    this.#protocolVersion = Math.max(...common);
    if (hello.scheme !== this.#authenticator.scheme) {
      this.#terminate(
        {
          step: 'authentication',
          code: 'invalid',
          message: `authentication schemes differ: this side uses '${this.#authenticator.scheme}', the peer '${hello.scheme}'`,
          remote: false,
        },
        true,
      );
      return;
    }
    const ownHello = this.#helloBytes!;
    this.#helloBytes = undefined;
    const dialerHello = this.#role === 'dialer' ? ownHello : frame;
    const listenerHello = this.#role === 'dialer' ? frame : ownHello;
    const transcript = new Uint8Array(dialerHello.byteLength + listenerHello.byteLength);
    transcript.set(dialerHello, 0);
    transcript.set(listenerHello, dialerHello.byteLength);
    this.#phase = 'authenticating';
    const bindAddresses = hello.addressBinding && this.#connection.addressesObservable !== false;
    void this.#authenticate(transcript, bindAddresses);
  }

  async #authenticate(transcript: Uint8Array, bindAddresses: boolean): Promise<void> {
    const local = this.#connection.localAddress;
    const remote = this.#connection.remoteAddress;
    const binding = bindAddresses
      ? new TextEncoder().encode(this.#role === 'dialer' ? `${local}\n${remote}` : `${remote}\n${local}`)
      : new Uint8Array(0);
    let peer: Peer;
    try {
      peer = await this.#authenticator.authenticate({
        role: this.#role,
        protocolVersion: this.#protocolVersion,
        transcript,
        channelBinding: binding,
        send: (message) => {
          if (this.#terminated === undefined) this.#send([MessageType.Authenticate, message]);
        },
        receive: () => this.#receiveAuthentication(),
        signal: this.#authAbort!.signal,
      });
    } catch (error) {
      if (this.#terminated !== undefined) return;
      const known = error instanceof AuthenticationError;
      this.#terminate(
        {
          step: 'authentication',
          code: known
            ? error.code === 'refused'
              ? 'refused'
              : error.code === 'invalid'
                ? 'invalid'
                : 'protocol'
            : 'internal',
          message: known ? error.message : 'authentication failed',
          remote: false,
        },
        true,
      );
      return;
    }
    if (this.#terminated !== undefined) return;
    this.#peer = peer;
    this.#authAbort = undefined;
    this.#authInbox = [];
    this.#phase = 'configuring';
    await this.#configure(peer);
  }

  #receiveAuthentication(): Promise<Uint8Array> {
    if (this.#aborted !== undefined) return Promise.reject(this.#aborted);
    const message = this.#authInbox.shift();
    if (message !== undefined) return Promise.resolve(message);
    return new Promise((resolve, reject) => {
      this.#authWaiter = { resolve, reject };
    });
  }

  async #configure(peer: Peer): Promise<void> {
    let root: Proxy<unknown>;
    try {
      const option = this.#rootOption;
      if (this.#rootHandler !== undefined) {
        this.#rootHandler.retain();
        root = createProxy(this.#rootHandler) as Proxy<unknown>;
      } else {
        root = option === undefined || isCapability(option) ? nothing() : await option(peer);
      }
      if (!isCapability(root)) throw new TypeError('the root chooser must return a proxy');
    } catch (error) {
      this.#terminate(
        {
          step: 'configuration',
          code: 'internal',
          message: `choosing the root failed: ${describeError(error)}`,
          remote: false,
        },
        true,
      );
      return;
    }
    if (this.#terminated !== undefined) return;
    const descriptor = this.#describe(handlerOf(root)!);
    root[Symbol.dispose](); // the export holds its own reference now
    this.#send([MessageType.Configure, descriptor]);
    this.#configureSent = true;
    const held = this.#held;
    this.#held = undefined;
    try {
      if (held !== undefined) for (const [message, context] of held) this.#receiveMessage(message, context);
    } catch (error) {
      this.#protocolFailure(error);
      return;
    }
    this.#checkEstablished();
  }

  #checkEstablished(): void {
    if (!this.#configureSent || !this.#configureReceived || this.#phase === 'established') return;
    if (this.#terminated !== undefined) return;
    this.#phase = 'established';
    clearTimeout(this.#handshakeTimer);
    this.#resolveEstablished();
  }

  #receiveMessage(message: unknown[], context: PayloadContext): void {
    const type = message[0] as number;
    if (type === MessageType.Abort) {
      this.#receiveAbort(message);
      return;
    }
    if (type === MessageType.Authenticate) {
      if (this.#phase !== 'authenticating' || !(message[1] instanceof Uint8Array)) {
        throw new ProtocolViolation('an authentication message outside the authentication step');
      }
      if (this.#authWaiter !== undefined) {
        const waiter = this.#authWaiter;
        this.#authWaiter = undefined;
        waiter.resolve(message[1]);
      } else {
        this.#authInbox.push(message[1]);
      }
      return;
    }
    if (!this.#configureSent) {
      // This side is still authenticating or choosing its root: keep the peer's later messages,
      // as many as it may have calls outstanding (a peer cannot need more before we answer).
      const held = (this.#held ??= []);
      if (held.length >= this.#limits.maxAnswers) {
        throw new LimitViolation(
          `the peer sent more than ${this.#limits.maxAnswers} messages before the handshake ended`,
        );
      }
      held.push([message, context]);
      return;
    }
    switch (type) {
      case MessageType.Configure:
        this.#receiveConfigure(message);
        return;
      case MessageType.Call:
        this.#receiveCall(message);
        return;
      case MessageType.Return:
        this.#receiveReturn(message, context);
        return;
      case MessageType.Finish:
        this.#receiveFinish(message);
        return;
      case MessageType.Release:
        this.#receiveRelease(message);
        return;
      case MessageType.DisembargoRequest:
        this.#receiveDisembargoRequest(message);
        return;
      case MessageType.DisembargoReply:
        this.#receiveDisembargoReply(message);
        return;
      case MessageType.StreamItems:
        this.#streamMessage(() => this.#streams.receiveItems(message[1], message[2]));
        return;
      case MessageType.StreamCredit:
        this.#streamMessage(() =>
          this.#streams.receiveCredit(message[1], message[2], message[3], message[4]),
        );
        return;
      case MessageType.StreamEnd:
        this.#streamMessage(() => this.#streams.receiveEnd(message[1], message[2], message[3]));
        return;
      case MessageType.StreamCancel:
        this.#streamMessage(() => this.#streams.receiveCancel(message[1], message[2]));
        return;
      default:
        throw new ProtocolViolation(`unknown message type ${type}`);
    }
  }

  #streamMessage(receive: () => void): void {
    try {
      receive();
    } catch (error) {
      if (error instanceof DecodeError || error instanceof LimitViolation) throw error;
      throw new ProtocolViolation(describeError(error));
    }
  }

  #receiveAbort(message: unknown[]): void {
    const [, step, code, text] = message;
    const steps: SessionStep[] = ['transport', 'version', 'authentication', 'configuration', 'session'];
    this.#terminate(
      {
        step: steps.includes(step as SessionStep) ? (step as SessionStep) : 'session',
        code: sessionErrorCodes.has(code as SessionErrorCode) ? (code as SessionErrorCode) : 'closed',
        message: typeof text === 'string' ? text.slice(0, 4096) : 'the peer ended the session',
        remote: true,
      },
      false,
    );
  }

  #receiveConfigure(message: unknown[]): void {
    if (this.#configureReceived) throw new ProtocolViolation('a second configure message');
    this.#configureReceived = true;
    const handler = this.#resolveDescriptor(message[1]);
    this.#remoteRoot.settle({ kind: 'capability', handler });
    this.#checkEstablished();
  }

  #receiveCall(message: unknown[]): void {
    const [, questionId, targetKind, targetId, method, args] = message;
    if (!isId(questionId) || !isId(targetId) || typeof method !== 'string' || !Array.isArray(args)) {
      throw new ProtocolViolation('malformed call');
    }
    if (this.#answers.has(questionId))
      throw new ProtocolViolation(`question ${questionId} is already in use`);
    if (this.#answers.size >= this.#limits.maxAnswers) {
      throw new LimitViolation(`the peer has more than ${this.#limits.maxAnswers} calls outstanding`);
    }
    let target: CapabilityHandler | undefined;
    if (targetKind === TargetKind.Export) target = this.#exports.get(targetId)?.handler;
    else if (targetKind === TargetKind.Answer) target = this.#answers.get(targetId);
    else throw new ProtocolViolation(`unknown call target kind ${String(targetKind)}`);
    if (target === undefined) {
      throw new ProtocolViolation(
        `call on ${targetKind === 0 ? 'export' : 'answer'} ${targetId}, which does not exist`,
      );
    }
    const result = target.call(method, args);
    // The target made its own copies of the capabilities it was given.
    releaseCapabilities(args);
    this.#answers.set(questionId, result);
    result.onSettled((settlement) => this.#sendReturn(questionId, settlement));
  }

  #sendReturn(questionId: number, settlement: Settlement): void {
    if (this.#terminated !== undefined) return;
    try {
      if (settlement.kind === 'capability') {
        this.#send([
          MessageType.Return,
          questionId,
          ReturnKind.Capability,
          this.#describe(settlement.handler),
        ]);
      } else if (settlement.kind === 'value') {
        try {
          this.#send([MessageType.Return, questionId, ReturnKind.Value, settlement.value]);
        } catch (error) {
          // The callee returned something that cannot cross the wire: the caller gets that error,
          // and streams in the value go nowhere.
          abortStreamsIn(settlement.value, error);
          this.#sendWithError([MessageType.Return, questionId, ReturnKind.Error, error], 3);
        }
      } else {
        this.#sendWithError([MessageType.Return, questionId, ReturnKind.Error, settlement.error], 3);
      }
    } catch (error) {
      this.#protocolFailure(error);
    }
  }

  #receiveReturn(message: unknown[], context: PayloadContext): void {
    const [, questionId, kind, payload] = message;
    if (!isId(questionId)) throw new ProtocolViolation('malformed return');
    const question = this.#questions.get(questionId);
    if (question === undefined)
      throw new ProtocolViolation(`return for question ${questionId}, which is not open`);
    this.#questions.delete(questionId);
    let settlement: Settlement;
    if (kind === ReturnKind.Capability) {
      const descriptorKind = Array.isArray(payload) ? payload[0] : undefined;
      const handler = this.#resolveDescriptor(payload);
      const loopback =
        descriptorKind === DescriptorKind.ReceiverExport || descriptorKind === DescriptorKind.ReceiverAnswer;
      if (loopback && question.pipelined) {
        // Calls pipelined on this answer are travelling back to our own object through the peer;
        // hold new calls until the peer confirms they have all been sent (DESIGN §4).
        const embargoId = this.#nextEmbargoId++;
        const promise = new PromiseHandler();
        this.#embargoes.set(embargoId, { promise, handler });
        this.#send([MessageType.DisembargoRequest, questionId, embargoId]);
        settlement = { kind: 'capability', handler: promise };
      } else {
        settlement = { kind: 'capability', handler };
      }
    } else if (kind === ReturnKind.Value) {
      // Streams in the result get the consumer settings the caller made before it arrived.
      const options = question.consumerOptions;
      if (options !== undefined)
        for (const consumer of context.consumers) applyConsumerOptions(consumer, options);
      settlement = { kind: 'value', value: payload };
    } else if (kind === ReturnKind.Error) {
      settlement = { kind: 'error', error: payload };
    } else {
      throw new ProtocolViolation('malformed return');
    }
    this.#sendLazily([MessageType.Finish, questionId]);
    question.settle(settlement);
  }

  #receiveFinish(message: unknown[]): void {
    const questionId = message[1];
    if (!isId(questionId)) throw new ProtocolViolation('malformed finish');
    const answer = this.#answers.get(questionId);
    if (answer === undefined)
      throw new ProtocolViolation(`finish for answer ${questionId}, which does not exist`);
    this.#answers.delete(questionId);
    answer.release();
  }

  #receiveRelease(message: unknown[]): void {
    const [, exportId, count] = message;
    if (!isId(exportId) || !isId(count) || count === 0) throw new ProtocolViolation('malformed release');
    const entry = this.#exports.get(exportId);
    if (entry === undefined || entry.count < count) {
      throw new ProtocolViolation(`release of export ${exportId} more times than it was sent`);
    }
    this.#dropExport(exportId, count);
  }

  #receiveDisembargoRequest(message: unknown[]): void {
    const [, questionId, embargoId] = message;
    if (!isId(questionId) || !isId(embargoId)) throw new ProtocolViolation('malformed disembargo request');
    if (!this.#answers.has(questionId)) {
      throw new ProtocolViolation(`disembargo for answer ${questionId}, which does not exist`);
    }
    // Every call pipelined on this answer was forwarded (and so queued for sending) as it arrived:
    // the reply goes out behind them.
    this.#send([MessageType.DisembargoReply, embargoId]);
  }

  #receiveDisembargoReply(message: unknown[]): void {
    const embargoId = message[1];
    if (!isId(embargoId)) throw new ProtocolViolation('malformed disembargo reply');
    const embargo = this.#embargoes.get(embargoId);
    if (embargo === undefined) throw new ProtocolViolation(`disembargo reply ${embargoId} was not asked for`);
    this.#embargoes.delete(embargoId);
    // The calls that went around the loop are now queued at our object: release the held ones.
    embargo.promise.settle({ kind: 'capability', handler: embargo.handler });
  }

  // ---------------------------------------------------------------- termination

  #connectionClosed(reason: CloseReason): void {
    this.#terminate(
      {
        step: this.#currentStep(),
        code: reason.code === 'normal' ? 'closed' : 'connection-lost',
        message: `the connection closed (${reason.code}): ${reason.message}`,
        remote: true,
      },
      false,
    );
  }

  #currentStep(): SessionStep {
    switch (this.#phase) {
      case 'hello':
        return 'version';
      case 'authenticating':
        return 'authentication';
      case 'configuring':
        return 'configuration';
      default:
        return this.#configureSent && this.#configureReceived ? 'session' : 'configuration';
    }
  }

  /**
   * Ends the session (once). Ownership and order: first the peer is told why (if asked and the
   * connection works), then every question settles with `AbortedError`, imports are revoked,
   * exports and answers are released, and finally `closed` resolves.
   */
  #terminate(reason: TerminationReason, notifyPeer: boolean): void {
    if (this.#terminated !== undefined) return;
    const error = new SessionError(reason);
    this.#terminated = error;
    const aborted = new AbortedError(`the session ended: ${reason.message}`, { cause: error });
    this.#aborted = aborted;
    const wasEstablished = this.#phase === 'established';
    this.#phase = 'terminated';
    clearTimeout(this.#handshakeTimer);

    if (notifyPeer) {
      const abort = [MessageType.Abort, reason.step, reason.code, reason.message];
      this.#outbox.push({ bytes: this.#encodeMessage(abort), message: abort });
      this.#lazyOutbox = [];
      this.#flush();
      void this.#connection.close({ code: 'normal', message: reason.message });
    } else if (reason.code === 'closed' && reason.remote) {
      void this.#connection.close({ code: 'normal', message: reason.message });
    } else {
      this.#connection.abort(error);
    }
    this.#outbox = [];

    this.#authAbort?.abort(error);
    if (this.#authWaiter !== undefined) {
      this.#authWaiter.reject(aborted);
      this.#authWaiter = undefined;
    }
    const questions = [...this.#questions.values()];
    this.#questions.clear();
    for (const question of questions) question.settle({ kind: 'error', error: aborted });
    const embargoes = [...this.#embargoes.values()];
    this.#embargoes.clear();
    for (const embargo of embargoes) {
      embargo.handler.release();
      embargo.promise.settle({ kind: 'error', error: aborted });
    }
    this.#streams.abortAll(aborted);
    for (const imported of this.#imports.values()) imported.revoke(aborted);
    this.#imports.clear();
    const exports = [...this.#exports.values()];
    this.#exports.clear();
    this.#exportIds.clear();
    for (const entry of exports) entry.handler.release();
    const answers = [...this.#answers.values()];
    this.#answers.clear();
    for (const answer of answers) answer.release();
    this.#remoteRoot.settle({ kind: 'error', error: aborted });
    this.#held = undefined;
    this.#rootHandler?.release();

    if (!wasEstablished) this.#rejectEstablished(error);
    this.#resolveClosed(reason);
  }

  // ---------------------------------------------------------------- tracing

  #traceMessage(direction: 'in' | 'out', message: unknown[], bytes: Uint8Array): void {
    const type = messageTypeNames[message[0] as number] ?? `Unknown(${String(message[0])})`;
    // Ids, method names and kinds: the small scalar fields, never the arguments or results.
    const fields = message.slice(1).filter((field) => typeof field === 'number' || typeof field === 'string');
    this.#traceEvent(direction, type, fields, bytes);
  }

  #traceEvent(direction: 'in' | 'out', type: string, fields: readonly unknown[], payload?: Uint8Array): void {
    const trace = this.#trace;
    if (trace === undefined) return;
    try {
      trace.sink({
        time: performance.now() - this.#startTime,
        direction,
        session: this.#traceLabel,
        type,
        fields,
        ...(trace.level === 'payloads' && payload !== undefined ? { payload: payload.slice() } : {}),
      });
    } catch {
      // A failing sink must not break the session.
    }
  }
}

/** Schedules microtasks without `queueMicrotask`'s per-callback async-context wrapping in Node. */
const resolved = Promise.resolve();

/** Runs `task` after the event loop has had a turn (I/O included). */
const later: (task: () => void) => void =
  typeof setImmediate === 'function' ? (task) => setImmediate(task) : (task) => setTimeout(task, 0);

/** Stream data waits while the connection holds more than this many unsent bytes. */
const streamHighWaterBytes = 1024 * 1024;

let sharedHelloCodec: Codec | undefined;

/**
 * The codec of hellos, shared by every session of the process (a codec holds encoder buffers, so one
 * per session would cost memory per idle session). Hellos are small: anything past 4 KiB or 4 levels
 * deep is refused.
 */
function helloCodec(): Codec {
  sharedHelloCodec ??= new Codec({ limits: { maxFrameBytes: 4096, maxDepth: 4 } });
  return sharedHelloCodec;
}

/** Decode errors that mean a limit was exceeded (the rest mean malformed input). */
const decodeLimitCodes: ReadonlySet<string> = new Set([
  'frame-too-large',
  'too-deep',
  'string-too-long',
  'collection-too-long',
  'bigint-too-large',
]);

/** The peer broke the protocol. */
class ProtocolViolation extends Error {
  override name = 'ProtocolViolation';
}

/** The peer exceeded a limit. */
class LimitViolation extends Error {
  override name = 'LimitViolation';
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function parseHello(value: unknown): Hello {
  if (typeof value !== 'object' || value === null) throw new Error('expected a map');
  const { versions, nonce, scheme, addressBinding } = value as Record<string, unknown>;
  if (!Array.isArray(versions) || versions.length === 0 || versions.length > 64 || !versions.every(isId)) {
    throw new Error('versions must be a non-empty list of integers');
  }
  if (!(nonce instanceof Uint8Array) || nonce.byteLength !== 32) throw new Error('nonce must be 32 bytes');
  if (typeof scheme !== 'string' || scheme.length > 256) throw new Error('scheme must be a short string');
  if (typeof addressBinding !== 'boolean') throw new Error('addressBinding must be a boolean');
  return { versions, nonce, scheme, addressBinding };
}

/**
 * A copy that owns its whole buffer. `send()` takes ownership of a frame and a transport may
 * transfer its buffer to another thread; the codec's output is a view into a buffer it shares with
 * other outputs, which must never be detached. (`Buffer#slice` would not copy: hence by hand.)
 */
function ownedCopy(view: Uint8Array): Uint8Array {
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy;
}

/**
 * A frame safe to hand to a transport. A transport may transfer (detach) a frame's buffer only when
 * the frame spans all of it (the `Connection.send` contract); a codec output that happens to span
 * its buffer may still share it with the codec, so that one case is copied. Other views go as they
 * are: a transport that must move them copies just their bytes.
 */
function exclusive(frame: Uint8Array): Uint8Array {
  return frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? ownedCopy(frame) : frame;
}

/** Applies a caller's early consumer settings to a stream consumer end a return brought. */
function applyConsumerOptions(consumer: object, options: ConsumerOptions): void {
  if (consumer instanceof Sequence || consumer instanceof Bytes) consumer.queue.setOptions(options);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
