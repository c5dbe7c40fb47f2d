import { describeEvent } from './describe-event.ts';
import { printable } from './printable.ts';
import type { TraceRecord } from './trace-record.ts';

/** What {@link SequencePrinter} prints. */
export interface SequenceFilter {
  /** Only these sessions (by label). Default: all. */
  readonly sessions?: ReadonlySet<string> | undefined;
  /** Only these event types (`Call`, `Return`, `End`...). Default: all. The summary still counts every type. */
  readonly types?: ReadonlySet<string> | undefined;
}

/** The most sessions the printer tells apart; later ones share the tag `[+]` and are summed together. */
export const maxTrackedSessions = 100_000;

interface SessionSummary {
  readonly tag: string;
  readonly label: string;
  messagesOut: number;
  messagesIn: number;
  bytesOut: number;
  bytesIn: number;
  callsOut: number;
  callsIn: number;
  ended: string | undefined;
}

/**
 * Turns trace events, in the order they were traced, into readable lines: one per event, tagged
 * with its session's number (`[2]`), after a header line the first time a session appears; and a
 * summary per session at the end. Streams: it keeps a few counters per session, never the events.
 *
 * ```
 * [1] session "client"
 * [1]      3.100 ms  →  Call              58 B  q0 export 0 .whisper (2 arguments)
 * [1]      4.002 ms  ←  Return            31 B  q0 value
 * ```
 */
export class SequencePrinter {
  readonly #filter: SequenceFilter;
  readonly #sessions = new Map<string, SessionSummary>();
  #overflow: SessionSummary | undefined;
  #printed = 0;

  constructor(filter: SequenceFilter = {}) {
    this.#filter = filter;
  }

  /** The lines for one event (none when filtered out), each ending in `\n`. */
  event(record: TraceRecord): string {
    const filter = this.#filter;
    if (filter.sessions !== undefined && !filter.sessions.has(record.session)) return '';
    let output = '';
    let session = this.#sessions.get(record.session);
    if (session === undefined) {
      if (this.#sessions.size < maxTrackedSessions) {
        session = summary(`[${this.#sessions.size + 1}]`, record.session);
        this.#sessions.set(record.session, session);
        output += `${session.tag} session "${printable(record.session, 200)}"\n`;
      } else {
        session = this.#overflow ??= summary('[+]', `(sessions after the first ${maxTrackedSessions})`);
      }
    }
    count(session, record);
    if (filter.types !== undefined && !filter.types.has(record.type)) return output;
    this.#printed += 1;
    const time = `${record.time.toFixed(3).padStart(10)} ms`;
    const arrow = record.direction === 'out' ? '→' : '←';
    const type = printable(record.type, 40).padEnd(17);
    const size = record.type === 'End' ? ''.padStart(8) : `${record.size} B`.padStart(8);
    return `${output}${session.tag} ${time}  ${arrow}  ${type} ${size}  ${describeEvent(record)}\n`;
  }

  /** The closing summary: per session its message counts, bytes, calls and how it ended. */
  summary(): string {
    const sessions = [...this.#sessions.values()];
    if (this.#overflow !== undefined) sessions.push(this.#overflow);
    let output = `\n${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${this.#printed} event${this.#printed === 1 ? '' : 's'} shown\n`;
    for (const session of sessions) {
      output +=
        `${session.tag} ${printable(session.label, 80)}: ` +
        `${session.messagesOut} messages out (${bytes(session.bytesOut)}), ${session.messagesIn} in (${bytes(session.bytesIn)}); ` +
        `${session.callsOut} calls made, ${session.callsIn} answered; ${session.ended ?? 'still open at the end of the trace'}\n`;
    }
    return output;
  }
}

function summary(tag: string, label: string): SessionSummary {
  return {
    tag,
    label,
    messagesOut: 0,
    messagesIn: 0,
    bytesOut: 0,
    bytesIn: 0,
    callsOut: 0,
    callsIn: 0,
    ended: undefined,
  };
}

function count(session: SessionSummary, record: TraceRecord): void {
  if (record.type === 'End') {
    const fields = record.fields;
    session.ended = `ended at the ${printable(String(fields.step), 20)} step (${printable(String(fields.code), 20)})`;
    return;
  }
  if (record.direction === 'out') {
    session.messagesOut += 1;
    session.bytesOut += record.size;
    if (record.type === 'Call') session.callsOut += 1;
  } else {
    session.messagesIn += 1;
    session.bytesIn += record.size;
    if (record.type === 'Call') session.callsIn += 1;
  }
}

function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KiB`;
  return `${(count / 1024 / 1024).toFixed(1)} MiB`;
}
