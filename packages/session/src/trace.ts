import type { ByteParts } from '@msc/serialization';
import type { Connection } from '@msc/transport';
import type { TerminationReason } from './session-error.ts';

/**
 * Message tracing (docs/semantics.md#diagnostics) at selectable detail: `off`; `messages`, the
 * sequence of messages with their ids, types, method names, sizes and times and no value a call
 * carries (cheap, and safe for production logs: no argument, result, stream item or error lands in
 * them); `payloads`, the same with every message's encoded bytes, values included, so a
 * conversation can be replayed.
 */
export type TraceLevel = 'off' | 'messages' | 'payloads';

/**
 * The named fields of one traced message: ids, counts, method names and the protocol's enumerations
 * spelled out. Never a value the application sent (arguments, results, stream items, error
 * contents). By type (the wire layout is in the package's `wire/protocol.ts`):
 *
 * | type | fields |
 * | --- | --- |
 * | `Hello` | `versions` (comma-separated), `scheme` |
 * | `Authenticate` | none (its size only) |
 * | `Configure` | `capability` (`sender-export`, `receiver-export`, `receiver-answer`, `sender-promise`), `capabilityId` |
 * | `Abort` | `step`, `code`, `reason` (the termination message, at most 500 characters) |
 * | `Call` | `questionId`, `target` (`export` or `answer`), `targetId`, `method`, `arguments` (count) |
 * | `Return` | `questionId`, `result` (`value`, `capability`, `error`, or `target-finished`: version 5); a capability adds `capability`, `capabilityId` |
 * | `Finish` | `questionId` (from version 5 none follows a `Return` that finished its answer: data or an error without capabilities) |
 * | `AnswerCopy` | `questionId`, `result` (`value` or `error`), version 5 |
 * | `Release` | `exportId`, `count` |
 * | `DisembargoRequest` | `questionId` (an export id when `target` is `export`), `embargoId`, `target` (version 2, a promise's) |
 * | `DisembargoReply` | `embargoId` |
 * | `StreamItems` | `streamId`, `items` (items, or bytes of a byte stream) |
 * | `StreamCredit` | `streamId`, `credit`, `capacity`, `batchSize` |
 * | `StreamEnd` | `streamId`, `ending` (`close` or `abort`), `failed` (whether it carries an error) |
 * | `StreamCancel` | `streamId`, `ending` (`cancel` or `abort`) |
 * | `Resolve` | `promiseId`, `resolution` (`capability`, `error` or `released`); a capability adds `capability`, `capabilityId` |
 * | `StreamDelivered` | `streamId` |
 * | `Revoke` | `exportId` |
 * | `End` | `step`, `code`, `reason`, `remote`: the session ended (not a message; `size` 0) |
 */
export type TraceFields = Readonly<Record<string, string | number | boolean>>;

/** One traced message (or the session's `End`). */
export interface TraceEvent {
  /** Milliseconds since the session started (monotonic). */
  readonly time: number;
  /**
   * `out` for messages this side sends, `in` for received ones. For `End`: `in` when the peer or the
   * connection ended the session, `out` when this side did.
   */
  readonly direction: 'in' | 'out';
  /** The session's label (set in the options, or its addresses). */
  readonly session: string;
  /** The message's type name (`Call`, `Return`, ...), `Hello`, or `End`. */
  readonly type: string;
  /**
   * The message's encoded size in bytes (`Hello`: the hello frame; `End`: 0). A message that
   * travelled as a structured clone (a MessagePort session in values mode) has no bytes: its size is
   * the value form's estimate.
   */
  readonly size: number;
  /** The message's ids, counts and names ({@link TraceFields}); never a value. */
  readonly fields: TraceFields;
  /**
   * The message's encoded bytes (values included), at level `payloads` only; absent for a message
   * that travelled as a structured clone (the level never changes how messages travel).
   */
  readonly payload?: Uint8Array;
}

/** Where traced messages go. A sink that throws does not break the session (the event is lost). */
export type TraceSink = (event: TraceEvent) => void;

/** What {@link traceMessages} takes. */
export interface TraceOptions {
  readonly level: TraceLevel;
  readonly sink: TraceSink;
  /**
   * A label for the session in events. When the same tracing serves several sessions (a scope's),
   * the second is `label#2`, the third `label#3`, and so on. Default: each session's local and
   * remote addresses.
   */
  readonly label?: string | undefined;
}

/**
 * Message tracing for sessions, made by `traceMessages()`: the `trace` option of a session or a
 * scope. (A session that is not given one carries no tracing code at all, which keeps a browser
 * client's bundle small.)
 */
export interface Tracing {
  /** Starts tracing one session over `connection`; `undefined` when the level is `off`. */
  readonly startSession: (connection: Connection) => SessionTracer | undefined;
}

/** One session's tracer (see {@link Tracing}): the session reports its messages and its end. */
export interface SessionTracer {
  /**
   * One message this side sends (`out`) or received and parsed (`in`), with its encoded bytes: one
   * array, the pieces of a message sent gathered (a `ByteParts`), or, in values mode, its size estimate.
   */
  message(direction: 'in' | 'out', message: readonly unknown[], bytes: Uint8Array | ByteParts | number): void;
  /** An event that is not a message (`Hello`), with its fields and bytes. */
  event(
    direction: 'in' | 'out',
    type: string,
    fields: TraceFields,
    bytes: Uint8Array | number | undefined,
  ): void;
  /** The session ended. */
  end(reason: TerminationReason): void;
}

/** A sink that keeps events in memory (for tests and replay). */
export function memoryTraceSink(): TraceSink & { readonly events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  const sink = (event: TraceEvent) => {
    events.push(event);
  };
  return Object.assign(sink, { events });
}
