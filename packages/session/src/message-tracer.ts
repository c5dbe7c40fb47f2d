import { ByteParts } from '@msc/serialization';
import type { Connection } from '@msc/transport';
import { concatBytes } from './resume/concat-bytes.ts';
import type { TerminationReason } from './session-error.ts';
import type { SessionTracer, TraceFields, TraceOptions, Tracing } from './trace.ts';
import { parseHello } from './wire/hello.ts';
import { MessageType } from './wire/protocol.ts';

const messageTypeNames = Object.fromEntries(Object.entries(MessageType).map(([name, type]) => [type, name]));

/**
 * Per message type, the names of the leading fields that are traced, in wire order (the layouts are
 * in wire/protocol.ts). What follows them (arguments, results, items, errors) is a value and is never
 * read here: level `messages` must keep every value the application sent out of the logs.
 */
const tracedFields: Readonly<Record<number, readonly string[]>> = {
  [MessageType.Abort]: ['step', 'code', 'reason'],
  [MessageType.Call]: ['questionId', 'target', 'targetId', 'method'],
  [MessageType.Return]: ['questionId', 'result'],
  [MessageType.Finish]: ['questionId'],
  [MessageType.Release]: ['exportId', 'count'],
  [MessageType.DisembargoRequest]: ['questionId', 'embargoId', 'target'],
  [MessageType.DisembargoReply]: ['embargoId'],
  [MessageType.StreamItems]: ['streamId'],
  [MessageType.StreamCredit]: ['streamId', 'credit', 'capacity', 'batchSize'],
  [MessageType.StreamEnd]: ['streamId', 'ending'],
  [MessageType.StreamCancel]: ['streamId'],
  [MessageType.Resolve]: ['promiseId', 'resolution'],
  [MessageType.StreamDelivered]: ['streamId'],
  [MessageType.Revoke]: ['exportId'],
  [MessageType.Cancel]: ['questionId'],
  [MessageType.AnswerCopy]: ['questionId', 'result'],
};

/** The protocol's enumerations by field name (TargetKind, ReturnKind, StreamEnding), spelled out. */
const enumerations: Readonly<Record<string, readonly string[]>> = {
  target: ['export', 'answer'],
  result: ['value', 'capability', 'error', 'target-finished'],
  ending: ['close', 'abort'],
  resolution: ['', 'capability', 'error', 'released'],
};

/** DescriptorKind names (capability descriptors only; 3 is a stream's). */
const descriptorKinds = ['sender-export', 'receiver-export', 'receiver-answer', 'stream', 'sender-promise'];

/** The longest termination message a trace keeps. */
const maxReasonLength = 500;

/**
 * A session's tracing (see trace.ts): turns messages into {@link TraceEvent}s for the sink. A
 * session without tracing has no tracer, so the hot path pays one `undefined` check.
 */
class MessageTracer implements SessionTracer {
  readonly #options: TraceOptions;
  readonly #label: string;
  readonly #startTime = performance.now();

  constructor(options: TraceOptions, label: string) {
    this.#options = options;
    this.#label = label;
  }

  /**
   * Traces one message (parsed, for a received one): its type name, its encoded size and its named
   * ids, counts and method name, never its arguments, result, items or error.
   */
  message(
    direction: 'in' | 'out',
    message: readonly unknown[],
    bytes: Uint8Array | ByteParts | number,
  ): void {
    const tag = message[0] as number;
    const fields: Record<string, string | number | boolean> = {};
    const names = tracedFields[tag] ?? [];
    for (let index = 0; index < names.length; index++) {
      const name = names[index]!;
      const value = message[index + 1];
      if (typeof value === 'number') {
        fields[name] = enumerations[name]?.[value] ?? value;
      } else if (typeof value === 'string') {
        // Strings here are the method name and an Abort's step, code and reason (never a value).
        fields[name] = value.length > maxReasonLength ? value.slice(0, maxReasonLength) : value;
      }
    }
    // Sizes and capability ids of the fields that hold values or descriptors (their contents stay out).
    if (tag === MessageType.Call) {
      const args = message[5];
      if (Array.isArray(args)) fields.arguments = args.length;
    } else if (tag === MessageType.StreamItems) {
      const items = message[2];
      if (Array.isArray(items) || items instanceof Uint8Array) fields.items = items.length;
      else if (items instanceof ByteParts) fields.items = items.byteLength; // bytes sent in parts
    } else if (tag === MessageType.StreamEnd) {
      fields.failed = message[3] !== undefined && message[3] !== null;
    } else if (tag === MessageType.StreamCancel) {
      fields.ending = message[3] === 1 ? 'abort' : 'cancel';
    } else if (tag === MessageType.Configure) {
      describeCapability(fields, message[1]);
    } else if (
      (tag === MessageType.Return && fields.result === 'capability') ||
      (tag === MessageType.Resolve && fields.resolution === 'capability')
    ) {
      describeCapability(fields, message[3]);
    }
    // A frame sent as pieces (a gathered stream batch) is joined only when its payload is traced.
    const encoded =
      bytes instanceof ByteParts
        ? this.#options.level === 'payloads'
          ? concatBytes(bytes.parts)
          : bytes.byteLength
        : bytes;
    this.event(direction, messageTypeNames[tag] ?? `Unknown(${String(tag)})`, fields, encoded);
  }

  /** Traces the session's end (an `End` event, `in` when the peer or the connection ended it). */
  end(reason: TerminationReason): void {
    this.event(
      reason.remote ? 'in' : 'out',
      'End',
      {
        step: reason.step,
        code: reason.code,
        reason: reason.message.slice(0, maxReasonLength),
        remote: reason.remote,
      },
      undefined,
    );
  }

  /**
   * Traces one event (`Hello`, the messages and `End`); `bytes` gives its size (and its payload at
   * level `payloads`). A failing sink does not break the session.
   */
  event(
    direction: 'in' | 'out',
    type: string,
    fields: TraceFields,
    bytes: Uint8Array | number | undefined,
  ): void {
    const options = this.#options;
    try {
      options.sink({
        time: performance.now() - this.#startTime,
        direction,
        session: this.#label,
        type,
        size: typeof bytes === 'number' ? bytes : (bytes?.byteLength ?? 0),
        fields,
        ...(options.level === 'payloads' && bytes instanceof Uint8Array
          ? { payload: type === 'Hello' ? withoutResumeOffer(bytes) : bytes.slice() }
          : {}),
      });
    } catch {
      // A failing sink must not break the session.
    }
  }
}

/**
 * A copy of a hello with its resume offer (a half of the resume secret, and the listener's resume
 * id: docs/resumption.md#secret) zeroed, so a payload trace never holds what derives the secret.
 * A resume connection's hello (its 16-byte resume id) and a hello without the field are copied as
 * they are.
 */
function withoutResumeOffer(hello: Uint8Array): Uint8Array {
  const copy = hello.slice();
  let offer: Uint8Array | undefined;
  try {
    offer = parseHello(hello).resume;
  } catch {
    return copy; // not a hello: the session ends with protocol, nothing was derived from it
  }
  if (offer === undefined || offer.byteLength <= 16) return copy;
  // The offer's bytes stand as they are in the encoding (a CBOR byte string).
  search: for (let start = 0; start + offer.byteLength <= copy.byteLength; start++) {
    for (let index = 0; index < offer.byteLength; index++) {
      if (copy[start + index] !== offer[index]) continue search;
    }
    copy.fill(0, start, start + offer.byteLength);
    break;
  }
  return copy;
}

/** Adds a capability descriptor's kind and id (both ids, not values) to `fields`. */
function describeCapability(fields: Record<string, string | number | boolean>, descriptor: unknown): void {
  if (!Array.isArray(descriptor)) return;
  const [kind, id] = descriptor as unknown[];
  if (typeof kind === 'number' && typeof id === 'number') {
    fields.capability = descriptorKinds[kind] ?? kind;
    fields.capabilityId = id;
  }
}

/**
 * Message tracing for a session or a scope (docs/semantics.md#diagnostics): each session it serves
 * reports every message to `options.sink` as a {@link TraceEvent}, at `options.level`.
 *
 * @example
 * ```ts
 * const trace = traceMessages({ level: 'messages', sink: jsonLinesTraceSink((line) => file.write(line)) });
 * // new Scope({ transport, authenticator, root, trace })
 * ```
 */
export function traceMessages(options: TraceOptions): Tracing {
  let sessions = 0;
  return {
    startSession(connection: Connection): SessionTracer | undefined {
      if (options.level === 'off') return undefined;
      sessions += 1;
      const label = options.label;
      return new MessageTracer(
        options,
        label === undefined
          ? `${connection.localAddress} ↔ ${connection.remoteAddress}`
          : sessions === 1
            ? label
            : `${label}#${sessions}`,
      );
    },
  };
}
