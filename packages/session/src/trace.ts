/**
 * Message tracing (docs/semantics.md#diagnostics) at selectable detail: `off`; `messages`, the
 * sequence of messages without payloads (cheap enough for production); `payloads`, with every
 * payload's bytes so a conversation can be replayed.
 */
export type TraceLevel = 'off' | 'messages' | 'payloads';

/** One traced message. */
export interface TraceEvent {
  /** Milliseconds since the session started (monotonic). */
  readonly time: number;
  /** `out` for messages this side sends, `in` for received ones. */
  readonly direction: 'in' | 'out';
  /** The session's label (set in the options, or its addresses). */
  readonly session: string;
  /** The message's type name (`Call`, `Return`, ...), or `Hello`. */
  readonly type: string;
  /** The message's ids and small fields (question id, method, export id...). */
  readonly fields: readonly unknown[];
  /** The payload bytes, at level `payloads` only. */
  readonly payload?: Uint8Array;
}

/** Where traced messages go. */
export type TraceSink = (event: TraceEvent) => void;

/** Tracing options of a session. */
export interface TraceOptions {
  readonly level: TraceLevel;
  readonly sink: TraceSink;
  /** A label for the session in events. Default: its local and remote addresses. */
  readonly label?: string;
}

/** A sink that keeps events in memory (for tests and replay). */
export function memoryTraceSink(): TraceSink & { readonly events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  const sink = (event: TraceEvent) => {
    events.push(event);
  };
  return Object.assign(sink, { events });
}
