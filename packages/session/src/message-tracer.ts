import type { Connection } from '@msc/transport';
import type { TraceOptions } from './trace.ts';
import { MessageType } from './wire/protocol.ts';

const messageTypeNames = Object.fromEntries(Object.entries(MessageType).map(([name, type]) => [type, name]));

/**
 * A session's tracing (see trace.ts): turns messages into {@link TraceEvent}s for the sink. A
 * session without tracing has no tracer, so the hot path pays one `undefined` check.
 */
export class MessageTracer {
  readonly #options: TraceOptions;
  readonly #label: string;
  readonly #startTime = performance.now();

  constructor(options: TraceOptions, label: string) {
    this.#options = options;
    this.#label = label;
  }

  /** Traces one message: its type name and small scalar fields (ids, method names, kinds). */
  message(direction: 'in' | 'out', message: readonly unknown[], bytes: Uint8Array): void {
    const type = messageTypeNames[message[0] as number] ?? `Unknown(${String(message[0])})`;
    // Never the arguments or results.
    const fields = message.slice(1).filter((field) => typeof field === 'number' || typeof field === 'string');
    this.event(direction, type, fields, bytes);
  }

  /** Traces one event (`Hello` and the messages). A failing sink does not break the session. */
  event(direction: 'in' | 'out', type: string, fields: readonly unknown[], payload?: Uint8Array): void {
    const options = this.#options;
    try {
      options.sink({
        time: performance.now() - this.#startTime,
        direction,
        session: this.#label,
        type,
        fields,
        ...(options.level === 'payloads' && payload !== undefined ? { payload: payload.slice() } : {}),
      });
    } catch {
      // A failing sink must not break the session.
    }
  }
}

/** A session's tracer, or `undefined` when tracing is off. The label defaults to the addresses. */
export function createTracer(
  options: TraceOptions | undefined,
  connection: Connection,
): MessageTracer | undefined {
  if (options === undefined || options.level === 'off') return undefined;
  return new MessageTracer(
    options,
    options.label ?? `${connection.localAddress} ↔ ${connection.remoteAddress}`,
  );
}
