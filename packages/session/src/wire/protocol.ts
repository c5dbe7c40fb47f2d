/**
 * The MSC session protocol, version 5 (and versions 1, 2 and 4, spoken with a peer that knows no later one; 3 is resumption's):
 * every message, who sends it, when, and what the receiver
 * must do (in the manner of Cap'n Proto's rpc.capnp). This file is the protocol's vocabulary: every
 * constant that goes on the wire is defined here, once. `message.ts` beside it turns a received
 * array into one of these messages (every well-formedness check), `descriptor.ts` does the same for
 * descriptors, `frame-layout.ts` packs and splits frames and `outbox.ts` sends them.
 *
 * Framing. The first frame each side sends is its {@link Hello} (a CBOR map). Every later frame is
 * a sequence of messages, each a 4-byte big-endian length followed by that many bytes of CBOR (the
 * session's codec); all messages a session emits within one turn (a run of code up to its next
 * `await`) travel in one frame, split only at the frame limit (when the frame goes: `outbox.ts`). A frame that holds a single message may be just that message, without its length
 * (the first byte tells: a length prefix's is below 0x80, a CBOR array or tag header's is not). A
 * message is an array whose first item is its {@link MessageType}; arguments,
 * results and errors sit inline, with capabilities and streams as {@link Descriptor}s. Each message
 * is encoded once and decoded once.
 *
 * Values mode. Over a connection that carries structured-clone values (a MessagePort), when both
 * hellos say `values`, each side, once established (its own `Configure` sent and the peer's
 * received), sends each turn's messages as one values frame (`Connection.sendValues`): the array of
 * messages in the serializer's value form (`ValueForm`: plain data as the clone copies it;
 * contracts, errors and descriptors as tagged items), instead of CBOR. The receiver accepts values
 * frames only once both hellos agreed and its own `Configure` is out, checks every message as hostile
 * input (the value form's reader: classes, depth, lengths, keys, string and byte sizes, and a size
 * estimate against `maxFrameBytes`), then parses it as a decoded message. Bytes frames stay valid
 * throughout (an `Abort` goes as bytes).
 *
 * Tables (per session and side, as in Cap'n Proto). Ids are small integers, never reused while live:
 * - questions: calls this side made and has not finished (id chosen by the caller);
 * - answers: the peer's questions, keyed by the peer's question id;
 * - exports: capabilities this side sent, with how many times it sent each (the peer's references);
 * - imports: capabilities the peer sent, with how many times this side received each.
 *
 * Ordering. A connection is ordered; a receiver processes messages in arrival order and delivers
 * calls to their target in that order, which gives instance order
 * (docs/semantics.md#instance-order) end to end.
 */

/** The first frame each side sends (defined with its encoding, in hello.ts). */
export type { Hello } from './hello.ts';

/**
 * Protocol versions this implementation speaks, oldest first. Version 2 adds promise resolution
 * (the {@link DescriptorKind} `SenderPromise`, the {@link MessageType} `Resolve` and a
 * `DisembargoRequest` that targets an export) and stream delivery (the sink confirms a closed
 * stream was read to the end with `StreamDelivered`, and `StreamCancel`'s `how` tells a cancel from
 * an abort), and explicit revocation (`Revoke`). With a peer that speaks only version 1, a promise is sent as a plain export (as
 * version 1 did), a producer's `close()` resolves once its items were sent, an abort at the
 * consumer's side reaches the producer as a cancel, and the peer may send none of these.
 * Version 4 adds the call context (docs/semantics.md#call-context): a `Call`'s seventh field,
 * {@link CallContextField}, and the `Cancel` message (it includes what version 3 adds, resumption, when
 * both hellos carry `resume`). With a peer of version 1, 2 or 3, calls go
 * without their context (the caller's own result still rejects when it is cancelled or times out;
 * the callee is not told), and the peer may send neither.
 * Version 5 adds finishing returns ({@link finishingReturnVersion}): a `Return` that can name no
 * capability frees its answer as it is sent, so the caller sends no `Finish` for it.
 */
export const supportedVersions: readonly number[] = [1, 2, 4, 5];

/**
 * The first protocol version with finishing returns (a call costs a `Call` and a `Return`, no
 * `Finish`, when its result can name no capability). A `Return` **finishes** its answer when its kind
 * is `Value` or `Error` and its payload holds no descriptor (no capability, no stream), or its kind is
 * `TargetFinished`: the callee drops the answer as it sends the `Return`, and the caller sends no
 * `Finish`. What the caller sent on that answer before the `Return` reached it arrives after the
 * answer is gone, and is settled the way the `Return` says, as in one process
 * (docs/semantics.md#promise-pipelining):
 * - a `Call` pipelined on it is answered `TargetFinished` at once (the callee holds nothing for it),
 *   and the caller settles that call as its target settled: with the same error, or, for a value,
 *   with `NotCapabilityError`;
 * - a `ReceiverAnswer` descriptor naming it becomes a stand-in (counted with the answers) until the
 *   caller's `AnswerCopy`, sent once it has the `Return` of an answer it named so.
 * A `Cancel` for an id that is no live answer is ignored (it crossed a finishing `Return`). With a
 * peer of an earlier version every answer keeps its `Finish`, both ways.
 */
export const finishingReturnVersion = 5;

/** The first protocol version with the call context (a `Call`'s context field, `Cancel`). */
export const callContextVersion = 4;

/** The first protocol version with promise resolution (`SenderPromise`, `Resolve`). */
export const promiseResolutionVersion = 2;

/** The first protocol version with `Revoke`. */
export const revocationVersion = 2;

/** The first protocol version with `StreamDelivered` and `StreamCancel`'s `how`. */
export const streamDeliveryVersion = 2;

/**
 * The protocol version of session resumption (docs/resumption.md): offered only by a session with
 * the `resume` option (so a session without it is what it was), and used only when both hellos
 * also carry `resume`. It changes nothing else: every version 2 message is as in version 2.
 */
export const resumptionVersion = 3;

// Members as constants: each tag and kind below is written once as a top-level constant, and the
// objects (`MessageType`, `DescriptorKind`, ...) that document them are built from those. The session's
// code uses the constants: a bundler inlines a top-level constant as its literal, but leaves
// `MessageType.Call` a property load on an object every page carries (about 200 bytes of a minimal
// client, gzipped). The objects stay for documentation, tracing (names by value) and tests.

/** The members of {@link MessageType}, one constant each (see "Members as constants" above). */
export const messageTypeAuthenticate = 0;
export const messageTypeConfigure = 1;
export const messageTypeAbort = 2;
export const messageTypeCall = 3;
export const messageTypeReturn = 4;
export const messageTypeFinish = 5;
export const messageTypeRelease = 6;
export const messageTypeDisembargoRequest = 7;
export const messageTypeDisembargoReply = 8;
export const messageTypeStreamItems = 9;
export const messageTypeStreamCredit = 10;
export const messageTypeStreamEnd = 11;
export const messageTypeStreamCancel = 12;
export const messageTypeResolve = 13;
export const messageTypeStreamDelivered = 14;
export const messageTypeRevoke = 15;
export const messageTypeCancel = 16;
export const messageTypeAnswerCopy = 17;

/** Message type tags. */
export const MessageType = {
  /**
   * `[Authenticate, bytes]`, both directions during the authentication step: one message of the
   * authenticator's own exchange, handed to the peer's authenticator in order.
   */
  Authenticate: messageTypeAuthenticate,
  /**
   * `[Configure, rootDescriptor]`, each side once, after the authentication step succeeded: the
   * sender's root capability (an export descriptor; the `Nothing` root is exported like any other).
   * The receiver resolves its remote-root promise with it; the session is established when both
   * sides have sent and received it.
   */
  Configure: messageTypeConfigure,
  /**
   * `[Abort, step, code, message]`, either side, at most once, then the sender closes the
   * connection: why the session ends (the step that failed, or `session` after establishment).
   * The receiver terminates the session with that reason.
   */
  Abort: messageTypeAbort,
  /**
   * `[Call, questionId, targetKind, targetId, method, arguments]`, caller → callee: a method call
   * (`arguments` is an array).
   * The target is one of the callee's exports ({@link TargetKind} `Export`, `targetId` an export
   * id) or one of the callee's answers (`Answer`, `targetId` the caller's question id, for
   * pipelining). A target that does not exist is a protocol violation. The
   * callee delivers it to the target in arrival order and records an answer under `questionId`.
   *
   * Version 4 adds an optional seventh field, the call's context ({@link CallContextField}), sent
   * when the call has one (a signal, a deadline, trace context): the callee makes the call's
   * `callContext()` from it, and only a call that carried it may be cancelled. A peer of an earlier
   * version may not send it.
   */
  Call: messageTypeCall,
  /**
   * `[Return, questionId, kind, payload]`, callee → caller, once per answer: {@link ReturnKind}
   * `Value`, `Capability` (the payload is its descriptor) or `Error`. The callee keeps the answer (for calls already
   * pipelined on it) until the caller sends `Finish`.
   *
   * Version 5: a `Value` or `Error` whose payload holds no descriptor **finishes** the answer (see
   * {@link finishingReturnVersion}): the callee drops it as it sends the `Return`, the caller sends no
   * `Finish`. Both sides tell it from the message alone. `[Return, questionId, TargetFinished]` (no
   * payload) answers a call pipelined on an answer that had finished; it finishes its own answer too.
   */
  Return: messageTypeReturn,
  /**
   * `[Finish, questionId]`, caller → callee, after the `Return`: the caller will send no more calls
   * on this answer. The callee drops the answer and the references it held. Nobody waits for it, so
   * it rides along with the caller's next frame (or goes alone after one event-loop turn). From
   * version 5, never sent for a `Return` that finished its answer; one for an answer that is not live
   * stays a protocol violation.
   */
  Finish: messageTypeFinish,
  /**
   * `[Release, exportId, count]`, importer → exporter: the importer dropped `count` references,
   * the number of times it received the export. The exporter subtracts it; an export whose count
   * reaches zero is dropped. Counting received occurrences makes a release never race a re-export
   * that is still in flight. Sent lazily, like `Finish`.
   */
  Release: messageTypeRelease,
  /**
   * `[DisembargoRequest, questionId, embargoId]`, caller → callee: the `Return` for `questionId`
   * named one of the caller's own exports and calls were pipelined on that answer; those calls
   * are on their way back to the caller. The callee replies once every call it forwarded from that
   * answer has been sent, which is at once, since it forwards calls as they arrive.
   *
   * Version 2 adds `[DisembargoRequest, exportId, embargoId, TargetKind.Export]`, importer →
   * exporter: a `Resolve` of the promise export `exportId` named a capability the importer hosts
   * (a `ReceiverExport` or `ReceiverAnswer`) and calls were sent to the promise before; the same
   * reply follows. (The exporter sent the `Resolve` only once the promise's resolution stopped
   * passing through a local promise, so it forwards calls as they arrive here too.) A missing
   * fourth field means `TargetKind.Answer`.
   */
  DisembargoRequest: messageTypeDisembargoRequest,
  /**
   * `[DisembargoReply, embargoId]`, callee → caller: every call pipelined on the answer has come
   * back, so the caller may now deliver its held calls to its own object (the loopback case of
   * instance order: docs/concepts.md#the-embargo).
   */
  DisembargoReply: messageTypeDisembargoReply,
  /**
   * `[StreamItems, streamId, payload]`, source → sink: an array of items or, for a byte stream, a
   * byte string. Never more than the credit the sink granted: the sink ends the session with
   * `protocol` when the items it holds unread would exceed the window it granted. Items for a
   * stream the sink already cancelled are dropped (they were in flight).
   */
  StreamItems: messageTypeStreamItems,
  /**
   * `[StreamCredit, streamId, credit, capacity, batchSize]`, sink → source: the consumer read
   * `credit` units (items or bytes), so the source may send that much more; also the consumer's
   * current window and batch size. The first one grants the whole window. The source clamps the
   * declared window to its own `maxStreamCapacity` limit. Credit beyond the growth of the window
   * counts as read: a sink that says more was read than the source ever sent is a protocol violation.
   */
  StreamCredit: messageTypeStreamCredit,
  /**
   * `[StreamEnd, streamId, how, error]`, source → sink, once: the producer closed ({@link StreamEnding}
   * `Close`, after every item; `error` set when it closed with one) or aborted (`Abort`, prompt).
   * The sink ends its local queue the same way. After an abort the stream is gone on both sides;
   * after a close (version 2) both keep it until the sink's `StreamDelivered` or `StreamCancel`.
   */
  StreamEnd: messageTypeStreamEnd,
  /**
   * `[StreamCancel, streamId, error, how]`, sink → source, at most once, also after a `StreamEnd`
   * close (the consumer stopped before reading everything): the consumer's side ended the stream.
   * `how` ({@link StreamCancelling}, version 2; absent means `Cancel`) tells a consumer's
   * `cancel(error)` from an abort at the consumer's side (the call carrying the stream never reached
   * its target). The source cancels or aborts its local queue: the producer sees `CancelledError`
   * or `AbortedError` at its next write or flush, and a pending `close()` rejects with it.
   */
  StreamCancel: messageTypeStreamCancel,
  /**
   * `[Resolve, promiseId, kind, payload]`, exporter → importer (version 2), exactly once per
   * `SenderPromise` export the importer received: the promise settled. {@link ResolveKind}
   * `Capability`: `payload` is a capability descriptor (any kind: it may name one of the importer's
   * own exports or answers, or another promise); `Error`: `payload` is the error (the promise
   * rejected, or resolved to data, which is no capability); `Released`: no payload, sent instead
   * when the exporter processed the importer's `Release` of the promise before it settled.
   *
   * The exporter sends it once the promise's resolution no longer passes through a promise local
   * to the exporter (an embargo it holds, a local promise that follows another), so the calls sent
   * to the promise so far have all been forwarded. The exporter keeps the export (calls sent to it
   * before the importer saw the `Resolve` still arrive there) until the importer releases it.
   *
   * The receiver's import becomes the resolution: later calls go there directly, and a resolution
   * the receiver hosts is its own object again (held behind an embargo while calls sent to the
   * promise come back: a `DisembargoRequest` targeting the export). A `Resolve` for an id the
   * receiver never imported, for an import that is no promise, a second one for the same id, or
   * one that makes the promise its own resolution (a cycle) is a protocol violation.
   */
  Resolve: messageTypeResolve,
  /**
   * `[StreamDelivered, streamId]`, sink → source, version 2, once, only after a `StreamEnd` close:
   * the consumer read every item (and the end). The source resolves the producer's `close()`; the
   * stream is gone on both sides. One for a stream the receiver has not sent a close on, is the
   * sink of, or has no more (never sent, cancelled, already delivered) is a protocol violation.
   */
  StreamDelivered: messageTypeStreamDelivered,
  /**
   * `[Revoke, exportId, error]`, exporter → importer, version 2: the capability exported as
   * `exportId` (a `SenderExport`, never a promise) was revoked (`revocable()`'s `revoke`, or an import
   * the exporter forwarded was revoked by its own exporter); `error` is the `RevokedError` its calls
   * fail with. The importer revokes the import (its later calls return already-aborted results with
   * that error, and the revocation goes on to the peers it forwarded the import to), takes it out
   * of its table and sends the `Release` its last reference would have sent. The exporter keeps the
   * export until that `Release`, so calls and descriptors already on their way still find it. A
   * `Revoke` for an id the importer no longer imports is ignored (its `Release` crossed the
   * `Revoke`); one for a promise import is a protocol violation.
   */
  Revoke: messageTypeRevoke,
  /**
   * `[Cancel, questionId, why]`, caller → callee, version 4, at most once per question, only for a
   * call that carried a context and only before its `Return` arrived: the caller cancelled the call
   * (the caller's result has rejected already); {@link CancelReason} `why` says whether its signal
   * aborted (`Aborted`, also when absent) or its deadline passed (`Deadline`). The callee fires the
   * call's signal with `CallAbortError` or `CallTimeoutError` (`callContext().signal`), so the method can stop;
   * a call not dispatched yet is never dispatched and returns that error; calls pipelined on the
   * answer were cancelled by the caller too (they carry contexts derived from it). The callee still
   * sends the `Return`, and the caller still sends `Finish` after it.
   *
   * A `Finish` before the `Return` cancels such a call the same way (its context is never kept past
   * its answer). A `Cancel` that crossed the `Return` (the answer settled, no `Finish` yet) is ignored, as is one
   * for an answer whose call carried no context (nothing to fire); one for a question id that is not
   * a live answer (never sent, or finished: the caller sends no `Cancel` after its `Finish`) is a
   * protocol violation before version 5, and ignored from version 5 (the `Cancel` crossed a `Return`
   * that finished the answer; the callee holds nothing for it either way).
   */
  Cancel: messageTypeCancel,
  /**
   * `[AnswerCopy, questionId, kind, payload]`, caller → callee, version 5, at most once per question,
   * only after a `Return` that finished its answer (kind `Value` or `Error`, the same payload, which
   * holds no descriptor) and only when the caller named that answer in a `ReceiverAnswer` descriptor
   * before the `Return` reached it. Such a descriptor that arrived after the answer finished became a
   * stand-in at the callee (calls on it wait, `await` waits): the copy settles it as the answer
   * settled, and the callee drops it. Ignored when there is no stand-in (every descriptor arrived while
   * the answer was live); one that holds a descriptor, or from a peer of an earlier version, is a
   * protocol violation.
   */
  AnswerCopy: messageTypeAnswerCopy,
} as const;

/** A message type tag. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The members of {@link CancelReason}, one constant each (see "Members as constants" above). */
export const cancelReasonAborted = 0;
export const cancelReasonDeadline = 1;

/** Why a caller cancelled a call (`Cancel`'s `why`). */
export const CancelReason = { Aborted: cancelReasonAborted, Deadline: cancelReasonDeadline } as const;

/** A `Cancel` reason. */
export type CancelReason = (typeof CancelReason)[keyof typeof CancelReason];

/**
 * A `Call`'s context (version 4): `[remainingMs, traceparent, tracestate]`, trailing entries left
 * out when absent (`[]` for a call that carries only cancellation).
 * - `remainingMs`: the milliseconds left before the call's deadline when it was sent (an integer,
 *   0 or more), or `null` for none. Time that remains, not an absolute time: the peers' clocks
 *   differ. The callee clamps it to its `maxCallTimeoutMs` limit.
 * - `traceparent`, `tracestate`: W3C trace context header values (https://www.w3.org/TR/trace-context/),
 *   checked on receipt: a malformed or oversized one is dropped (the call goes on without it),
 *   never an error.
 */
export type CallContextField = readonly [
  remainingMs?: number | null,
  traceparent?: string,
  tracestate?: string,
];

/** The members of {@link DescriptorKind}, one constant each (see "Members as constants" above). */
export const descriptorKindSenderExport = 0;
export const descriptorKindReceiverExport = 1;
export const descriptorKindReceiverAnswer = 2;
export const descriptorKindStream = 3;
export const descriptorKindSenderPromise = 4;

/** Capability descriptors inside payloads. */
export const DescriptorKind = {
  /** `[0, exportId]`: a capability the sender hosts (one of its exports). */
  SenderExport: descriptorKindSenderExport,
  /** `[1, exportId]`: one of the receiver's own exports coming home (becomes the original object). */
  ReceiverExport: descriptorKindReceiverExport,
  /** `[2, questionId]`: one of the receiver's answers to the sender's question (a pipelined promise). */
  ReceiverAnswer: descriptorKindReceiverAnswer,
  /**
   * `[3, streamId, isBytes, receiverGets]`: a stream endpoint; the receiver gets a fresh consumer
   * end ({@link ReceiverGets} `Consumer`) or producer end (`Producer`) of a new wire stream (see
   * stream-bridge.ts). `isBytes` is 1 for a byte stream.
   */
  Stream: descriptorKindStream,
  /**
   * `[4, exportId]` (version 2): a promise the sender hosts (an unresolved local promise, call
   * result or promise import), exported like a capability (counted, released) and resolved later
   * by exactly one `Resolve` naming `exportId`. Calls sent to it before then are forwarded by the
   * sender in order; `whenResolved()` at the receiver waits for the `Resolve`.
   */
  SenderPromise: descriptorKindSenderPromise,
} as const;

/** A descriptor kind. */
export type DescriptorKind = (typeof DescriptorKind)[keyof typeof DescriptorKind];

/** A capability descriptor (`SenderExport`, `ReceiverExport`, `ReceiverAnswer` or `SenderPromise`). */
export type Descriptor = readonly [kind: number, id: number];

/** A stream descriptor, `[Stream, streamId, isBytes, receiverGets]`. */
export type StreamDescriptor = readonly [
  kind: typeof DescriptorKind.Stream,
  streamId: number,
  isBytes: number,
  receiverGets: ReceiverGets,
];

/** The members of {@link ReceiverGets}, one constant each (see "Members as constants" above). */
export const receiverGetsConsumer = 0;
export const receiverGetsProducer = 1;

/** What the receiver of a stream descriptor gets: a consumer end (`Consumer`) or a producer end. */
export const ReceiverGets = { Consumer: receiverGetsConsumer, Producer: receiverGetsProducer } as const;

/** A `receiverGets` value. */
export type ReceiverGets = (typeof ReceiverGets)[keyof typeof ReceiverGets];

/** The members of {@link TargetKind}, one constant each (see "Members as constants" above). */
export const targetKindExport = 0;
export const targetKindAnswer = 1;

/** Target kinds of a `Call`: one of the callee's exports, or one of its answers (pipelining). */
export const TargetKind = { Export: targetKindExport, Answer: targetKindAnswer } as const;

/** A `Call` target kind. */
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

/** The members of {@link ReturnKind}, one constant each (see "Members as constants" above). */
export const returnKindValue = 0;
export const returnKindCapability = 1;
export const returnKindError = 2;
export const returnKindTargetFinished = 3;

/**
 * `Return` kinds. `TargetFinished` (version 5, no payload): the call was pipelined on an answer whose
 * `Return` had finished it; the caller settles the call as that `Return` settled its target.
 */
export const ReturnKind = {
  Value: returnKindValue,
  Capability: returnKindCapability,
  Error: returnKindError,
  TargetFinished: returnKindTargetFinished,
} as const;

/** A `Return` kind. */
export type ReturnKind = (typeof ReturnKind)[keyof typeof ReturnKind];

/** The members of {@link ResolveKind}, one constant each (see "Members as constants" above). */
export const resolveKindCapability = 1;
export const resolveKindError = 2;
export const resolveKindReleased = 3;

/** `Resolve` kinds: a capability and an error as in `Return`, or `Released` (see `MessageType.Resolve`). */
export const ResolveKind = {
  Capability: resolveKindCapability,
  Error: resolveKindError,
  Released: resolveKindReleased,
} as const;

/** A `Resolve` kind. */
export type ResolveKind = (typeof ResolveKind)[keyof typeof ResolveKind];

/** The members of {@link StreamEnding}, one constant each (see "Members as constants" above). */
export const streamEndingClose = 0;
export const streamEndingAbort = 1;

/** How a stream ended (`StreamEnd`): closed after its items, or aborted at once. */
export const StreamEnding = { Close: streamEndingClose, Abort: streamEndingAbort } as const;

/** A `StreamEnd` ending. */
export type StreamEnding = (typeof StreamEnding)[keyof typeof StreamEnding];

/** The members of {@link StreamCancelling}, one constant each (see "Members as constants" above). */
export const streamCancellingCancel = 0;
export const streamCancellingAbort = 1;

/** How the consumer's side ended a stream (`StreamCancel`): cancelled, or aborted at once. */
export const StreamCancelling = { Cancel: streamCancellingCancel, Abort: streamCancellingAbort } as const;

/** A `StreamCancel` way. */
export type StreamCancelling = (typeof StreamCancelling)[keyof typeof StreamCancelling];
