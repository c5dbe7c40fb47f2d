import { isCapability } from '@msc/eventual';
import {
  type CapabilityHandler,
  createProxy,
  createResult,
  handlerOf,
  markEncoding,
  type ResultHandler,
  StreamEnd,
  sinkFloating,
} from '@msc/eventual/handler';
import {
  type ByteParts,
  Codec,
  type ContractRegistry,
  DecodeBudget,
  handshakeDecodeBudget,
  handshakeDecodeLimits,
  type ReferenceHooks,
} from '@msc/serialization';
import type { AnswerTable } from './answer-table.ts';
import { noteEncodingCarried } from './encoding-carried.ts';
import type { ExportTable } from './export-table.ts';
import { gatheredEncoder } from './gathered-encoding.ts';
import type { ImportTable } from './import-table.ts';
import { isPromise, type PromiseExports } from './promise-exports.ts';
import type { QuestionTable } from './question-table.ts';
import { ImportHandler, QuestionHandler, type SessionPort } from './remote-handlers.ts';
import type { StreamPart } from './stream-part.ts';
import { parseDescriptor } from './wire/descriptor.ts';
import {
  type Descriptor,
  descriptorKindReceiverAnswer,
  descriptorKindReceiverExport,
  descriptorKindSenderExport,
  descriptorKindSenderPromise,
  descriptorKindStream,
  promiseResolutionVersion,
  type StreamDescriptor,
} from './wire/protocol.ts';
import { ProtocolViolation, requireVersion } from './wire/violations.ts';

/**
 * The capability codec: how capabilities and streams inside payloads become descriptors and back
 * (protocol.ts, `DescriptorKind`). The serializer's hooks call an exporter when encoding and an
 * importer when decoding; both are found in the per-payload context, since a serializer is shared
 * by every session with the same settings (it holds encoder buffers: one per session would cost
 * memory per idle session).
 *
 * Ownership: encoding a capability exports it (the export holds its own reference, and a fresh
 * proxy's floating reference moves into it); if the encoding fails, what it exported is undone,
 * since the peer never heard of it. Decoding a descriptor gives the payload a proxy owning one
 * reference to the import, export or answer it names.
 */

/**
 * How frames are decoded before this side's `Configure` is out: a codec with the handshake's limits
 * and a budget of decode work across all those frames. Owned by the session's handshake and dropped
 * with it.
 */
export interface EarlyDecoding {
  readonly codec: Codec<PayloadContext>;
  readonly budget: DecodeBudget;
}

/** Encodes the capabilities and streams of an outgoing payload. */
export interface CapabilityExporter {
  /** The descriptor for `value` (a capability or stream endpoint); records it in `context`. */
  encodeReference(value: object, context: PayloadContext): unknown;
}

/** Decodes the descriptors of an incoming payload. */
export interface CapabilityImporter {
  /**
   * The proxy or stream endpoint a descriptor names.
   *
   * @throws ProtocolViolation or LimitViolation for a descriptor the peer may not send
   */
  decodeReference(descriptor: unknown, context: PayloadContext): unknown;
}

/**
 * Per-payload context of the codec hooks: who encodes or decodes, what an encoding exported (so a
 * failed encoding can be undone), and the stream consumer ends a decoding made.
 */
export interface PayloadContext {
  readonly exporter: CapabilityExporter;
  readonly importer: CapabilityImporter;
  // The lists are made by their first entry: most payloads carry no capability or stream, and a
  // call makes six of these contexts (its call, return and finish, encoded and decoded).
  /** Exports the encoding made (undone if it fails); `undefined` while none. */
  exported: number[] | undefined;
  /** Streams the encoding exported (undone if it fails); `undefined` while none. */
  streams: StreamDescriptor[] | undefined;
  /** Consumer ends of streams a decoding made (a return applies the caller's early settings); `undefined` while none. */
  consumers: object[] | undefined;
  /**
   * Capabilities the encoding named, whose floating reference (a fresh or handed-off proxy) moves to
   * the export once the encoding succeeded (`commit`): a failed one leaves them as they were.
   */
  shared: object[] | undefined;
  /**
   * Whether the payload holds a descriptor (a capability or a stream), encoding or decoding: a
   * `Return` without one finishes its answer from protocol version 5 (`finishingReturnVersion`).
   * @internal
   */
  carried_: boolean;
}

const codecs = new WeakMap<ContractRegistry, Map<string, Codec<PayloadContext>>>();

/**
 * The serializer hooks of every session: capabilities and stream endpoints travel by reference, the
 * exporter and importer found in the payload's context. Shared by the CBOR codecs and the value forms.
 */
export const sessionReferenceHooks: ReferenceHooks<PayloadContext> = {
  isReference: (value) => isCapability(value) || value instanceof StreamEnd,
  encodeReference: (value, context) => context.exporter.encodeReference(value, context),
  decodeReference: (descriptor, context) => context.importer.decodeReference(descriptor, context),
};

/**
 * Which frames a codec decodes: `session` frames with the session's limits, or `handshake` frames
 * (everything the peer sends before this side's `Configure` is out, when it may not be authenticated
 * yet) with the serializer's stricter `handshakeDecodeLimits`.
 */
export type DecodePhase = 'session' | 'handshake';

/** The serializer shared by every session with this registry and these settings. */
export function sharedCodec(
  registry: ContractRegistry,
  maxFrameBytes: number,
  maxDepth: number,
  errorStacks: boolean,
  phase: DecodePhase = 'session',
): Codec<PayloadContext> {
  let byKey = codecs.get(registry);
  if (byKey === undefined) codecs.set(registry, (byKey = new Map()));
  const key = `${phase}/${maxFrameBytes}/${maxDepth}/${errorStacks}`;
  let codec = byKey.get(key);
  if (codec === undefined) {
    const limits =
      phase === 'session'
        ? { maxFrameBytes, maxDepth }
        : {
            ...handshakeDecodeLimits,
            maxFrameBytes: Math.min(maxFrameBytes, handshakeDecodeLimits.maxFrameBytes),
            maxDepth: Math.min(maxDepth, handshakeDecodeLimits.maxDepth),
          };
    codec = new Codec<PayloadContext>({
      registry,
      limits,
      errorStacks,
      hooks: sessionReferenceHooks,
    });
    byKey.set(key, codec);
  }
  return codec;
}

/**
 * A session's decoding until its own `Configure` is out: the shared handshake codec (frames of at
 * most `maxFrameBytes`) and a fresh `handshakeDecodeBudget` for this session alone.
 */
export function earlyDecoding(
  registry: ContractRegistry,
  maxFrameBytes: number,
  maxDepth: number,
  errorStacks: boolean,
): EarlyDecoding {
  return {
    codec: sharedCodec(registry, maxFrameBytes, maxDepth, errorStacks, 'handshake'),
    budget: new DecodeBudget(handshakeDecodeBudget),
  };
}

/** One session's capability codec. */
export class CapabilityCodec implements CapabilityExporter, CapabilityImporter {
  readonly #codec: Codec<PayloadContext>;
  readonly #session: SessionPort;
  // The tables it names capabilities from (fields of its own: no tables object per session).
  readonly #questions: QuestionTable;
  readonly #answers: AnswerTable;
  readonly #exports: ExportTable;
  readonly #imports: ImportTable;
  readonly #streams: StreamPart;
  readonly #promises: PromiseExports;

  /** @param session the session whose import and question handlers come home as the peer's own */
  constructor(
    codec: Codec<PayloadContext>,
    session: SessionPort,
    questions: QuestionTable,
    answers: AnswerTable,
    exports: ExportTable,
    imports: ImportTable,
    streams: StreamPart,
    promises: PromiseExports,
  ) {
    this.#codec = codec;
    this.#session = session;
    this.#questions = questions;
    this.#answers = answers;
    this.#exports = exports;
    this.#imports = imports;
    this.#streams = streams;
    this.#promises = promises;
  }

  /** A fresh context for one payload. */
  context(): PayloadContext {
    return {
      exporter: this,
      importer: this,
      exported: undefined,
      streams: undefined,
      consumers: undefined,
      shared: undefined,
      carried_: false,
    };
  }

  /**
   * Encodes one message; on failure undoes what the encoding exported, then throws. Gathered
   * (`gather`, for a connection that takes parts, once installed: gathered-encoding.ts) a message
   * with bulk bytes comes back as its pieces.
   *
   * @throws what the serializer throws
   */
  encode(message: unknown[], gather = false): Uint8Array | ByteParts {
    const context = this.context();
    let frame: Uint8Array | ByteParts;
    // Reading a call result's `constructor` while encoding it is not awaiting it.
    markEncoding(true);
    try {
      frame = gather
        ? gatheredEncoder()!(this.#codec, message, context)
        : this.#codec.encode(message, context);
    } catch (error) {
      this.undo(context);
      throw error;
    } finally {
      markEncoding(false);
    }
    this.commit(context);
    return frame;
  }

  /**
   * An encoding into `context` succeeded: the floating references of the proxies it named move to
   * their exports (each export holds its own reference; see `proxy()` and `handOff()`).
   */
  commit(context: PayloadContext): void {
    noteEncodingCarried(context.carried_);
    const shared = context.shared;
    if (shared !== undefined) for (const value of shared) sinkFloating(value);
  }

  /**
   * Undoes what a failed encoding into `context` exported (the peer never heard of it). A proxy it
   * named keeps its floating reference (sunk only by `commit`): a stream that retries its items in
   * smaller batches, or a caller that retries the call, shares it intact.
   */
  undo(context: PayloadContext): void {
    const { exported, streams } = context;
    if (exported !== undefined) for (const id of exported) this.#exports.drop(id, 1);
    if (streams !== undefined) for (const descriptor of streams) this.#streams.unexport_(descriptor);
  }

  /**
   * Decodes one message into `context`: with this session's codec, or, before this side's
   * `Configure` is out, with the handshake's (`early`: stricter limits, and a budget across frames).
   *
   * @throws DecodeError (its cause a violation when a descriptor was refused)
   */
  decode(bytes: Uint8Array, context: PayloadContext, early?: EarlyDecoding): unknown {
    return early === undefined
      ? this.#codec.decode(bytes, context)
      : early.codec.decode(bytes, context, early.budget);
  }

  encodeReference(value: object, context: PayloadContext): unknown {
    context.carried_ = true;
    if (value instanceof StreamEnd) {
      const descriptor = this.#streams.export(value);
      (context.streams ??= []).push(descriptor);
      return descriptor;
    }
    const descriptor = this.describe(handlerOf(value)!);
    // The export holds its own reference: a fresh proxy's floating one moves away once the whole
    // payload is encoded (`commit`; a failed encoding leaves the proxy as it was).
    (context.shared ??= []).push(value);
    if (descriptor[0] === descriptorKindSenderExport || descriptor[0] === descriptorKindSenderPromise) {
      (context.exported ??= []).push(descriptor[1]);
    }
    return descriptor;
  }

  decodeReference(value: unknown, context: PayloadContext): unknown {
    context.carried_ = true;
    const descriptor = parseDescriptor(value);
    if (descriptor[0] === descriptorKindStream) {
      const endpoint = this.#streams.import(descriptor as StreamDescriptor);
      (context.consumers ??= []).push(endpoint);
      return endpoint;
    }
    const handler = this.resolve(descriptor as Descriptor);
    return descriptor[0] === descriptorKindReceiverAnswer
      ? createResult(handler as ResultHandler)
      : createProxy(handler);
  }

  /**
   * How to name `handler` to the peer. A capability that came from the peer goes back as the
   * peer's own export or answer, so it becomes the original object there (no proxy of a proxy);
   * a promise that has not settled to a capability becomes a promise export (promise-exports.ts;
   * from protocol version 2); anything else becomes (or reuses) an export of this side, counted
   * once more.
   *
   * @throws RangeError when this side would export more than `maxExports`
   */
  describe(handler: CapabilityHandler): Descriptor {
    const target = handler.shorten();
    // A revoked import's export may be gone at the peer: it goes as an export of this side, whose
    // calls fail with the revocation's error (and whose peer is told of it at once).
    if (
      target instanceof ImportHandler &&
      target.session === this.#session &&
      target.revokedBy_ === undefined
    ) {
      return [descriptorKindReceiverExport, target.id];
    }
    if (
      target instanceof QuestionHandler &&
      target.session === this.#session &&
      this.#questions.has(target.id)
    ) {
      // Named before its return: if that return finishes the answer, the peer needs a copy of it
      // (finishing returns, `AnswerCopy`).
      target.referenced_ = true;
      return [descriptorKindReceiverAnswer, target.id];
    }
    if (isPromise(target) && this.#session.protocolVersion >= promiseResolutionVersion) {
      return this.#promises.describe(target);
    }
    return [descriptorKindSenderExport, this.#exports.add(target)];
  }

  /**
   * Turns a checked capability descriptor into a handler, with one reference owned by the caller.
   *
   * @throws ProtocolViolation for a name the peer may not use; LimitViolation past `maxImports`
   */
  resolve(descriptor: Descriptor): CapabilityHandler {
    const kind = descriptor[0];
    const id = descriptor[1];
    switch (kind) {
      case descriptorKindSenderExport:
        return this.#imports.receive(id);
      case descriptorKindSenderPromise:
        requireVersion(this.#session, promiseResolutionVersion, 'a promise descriptor');
        return this.#imports.receive(id, true);
      case descriptorKindReceiverExport:
        return this.#exports.retain(id);
      case descriptorKindReceiverAnswer:
        return this.#answers.retain(id);
      default:
        throw new ProtocolViolation(`unknown capability descriptor kind ${String(kind)}`);
    }
  }
}
