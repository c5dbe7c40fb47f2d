import type { TraceRecord } from './trace-record.ts';

/**
 * Writes trace events as a Chrome trace (the JSON "Trace Event Format" that ui.perfetto.dev and
 * chrome://tracing open), streaming: each session is a process (named by its label) with one
 * thread, `messages`; every call is an async slice from its `Call` to its `Return` (category
 * `calls made` on the caller's side, `calls answered` on the callee's), named by its method; every
 * other message is an instant event with its fields as arguments.
 *
 * Begin and end always match: a `Return` with no `Call` in the trace becomes an instant, and calls
 * still open when the input ends are closed at their session's last time with `unfinished: true`.
 * Times are each session's own (milliseconds since it started, shown as microseconds), so every
 * session starts at 0.
 *
 * What it keeps is bounded whatever the input: per session a pid and a time, and per open call a
 * question id cut to {@link maxQuestionIdLength} characters and a method name cut to 200; at most
 * {@link maxOpenCalls} open calls per session (later ones become instants) and
 * {@link maxOpenCallsInAll} in all (past that the oldest is closed as `unfinished`).
 */
export class PerfettoTrace {
  readonly #sessions = new Map<string, PerfettoSession>();
  /** Every open call, oldest first (a Map keeps insertion order), by `pid:category:questionId`. */
  readonly #open = new Map<string, OpenCall>();
  #events = 0;
  /** Sessions past {@link maxPerfettoSessions}, left out of the export. */
  skippedSessions = 0;

  /** The opening of the JSON document. */
  begin(): string {
    return '{"displayTimeUnit":"ms","traceEvents":[\n';
  }

  /** The JSON text for one event (with its session's metadata the first time), or `''`. */
  event(record: TraceRecord): string {
    let output = '';
    let session = this.#sessions.get(record.session);
    if (session === undefined) {
      if (this.#sessions.size >= maxPerfettoSessions) {
        this.skippedSessions += 1;
        return '';
      }
      session = { pid: this.#sessions.size + 1, openCalls: 0, lastTime: 0 };
      this.#sessions.set(record.session, session);
      output += this.#emit({
        ph: 'M',
        name: 'process_name',
        pid: session.pid,
        args: { name: record.session },
      });
      output += this.#emit({
        ph: 'M',
        name: 'thread_name',
        pid: session.pid,
        tid: 1,
        args: { name: 'messages' },
      });
    }
    session.lastTime = Math.max(session.lastTime, record.time);
    const ts = Math.round(record.time * 1000);
    const fields = record.fields;
    if (record.type === 'Call' && session.openCalls < maxOpenCalls) {
      const category = record.direction === 'out' ? 'calls made' : 'calls answered';
      const id = `${category}:${keptCopy(String(fields.questionId), maxQuestionIdLength)}`;
      const key = `${session.pid}:${id}`;
      if (!this.#open.has(key)) {
        if (this.#open.size >= maxOpenCallsInAll) output += this.#closeOldest();
        const name = keptCopy(String(fields.method ?? 'call'), 200);
        this.#open.set(key, { session, category, id, name });
        session.openCalls += 1;
        return (
          output +
          this.#emit({
            ph: 'b',
            cat: category,
            name,
            id,
            pid: session.pid,
            tid: 1,
            ts,
            args: { ...fields, size: record.size },
          })
        );
      }
    }
    if (record.type === 'Return') {
      // A Return goes the other way from its Call: an incoming one ends a call this side made.
      const category = record.direction === 'in' ? 'calls made' : 'calls answered';
      const key = `${session.pid}:${category}:${String(fields.questionId).slice(0, maxQuestionIdLength)}`;
      const call = this.#open.get(key);
      if (call !== undefined) {
        this.#forget(key, call);
        return (
          output +
          this.#emit({
            ph: 'e',
            cat: category,
            name: call.name,
            id: call.id,
            pid: session.pid,
            tid: 1,
            ts,
            args: { result: fields.result ?? '?', size: record.size },
          })
        );
      }
    }
    return (
      output +
      this.#emit({
        ph: 'i',
        s: record.type === 'End' ? 'p' : 't',
        cat: 'message',
        name: record.type.slice(0, 200),
        pid: session.pid,
        tid: 1,
        ts,
        args: { direction: record.direction, size: record.size, ...fields },
      })
    );
  }

  /** Closes the calls still open and the JSON document. */
  end(): string {
    let output = '';
    for (const [key, call] of this.#open) {
      this.#forget(key, call);
      output += this.#unfinished(call);
    }
    return `${output}\n]}\n`;
  }

  /** Makes room for one more open call: the oldest is closed now, as `unfinished`. */
  #closeOldest(): string {
    const [key, call] = this.#open.entries().next().value!;
    this.#forget(key, call);
    return this.#unfinished(call);
  }

  #forget(key: string, call: OpenCall): void {
    this.#open.delete(key);
    call.session.openCalls -= 1;
  }

  /** The end of a call whose Return was not seen, at its session's last time. */
  #unfinished(call: OpenCall): string {
    return this.#emit({
      ph: 'e',
      cat: call.category,
      name: call.name,
      id: call.id,
      pid: call.session.pid,
      tid: 1,
      ts: Math.round(call.session.lastTime * 1000),
      args: { unfinished: true },
    });
  }

  #emit(event: object): string {
    const text = JSON.stringify(event);
    this.#events += 1;
    return this.#events === 1 ? text : `,\n${text}`;
  }
}

/** The most sessions an export holds (one process each); later ones are left out and counted. */
export const maxPerfettoSessions = 10_000;

/** The most calls one session may have open in an export; later ones become instants. */
export const maxOpenCalls = 100_000;

/** The most calls open in an export, all sessions together; past it the oldest is closed as `unfinished`. */
export const maxOpenCallsInAll = 1_000_000;

/** The characters of a question id an export keys its calls by (a real one is a number, a few digits). */
export const maxQuestionIdLength = 32;

interface PerfettoSession {
  readonly pid: number;
  /** How many of {@link PerfettoTrace}'s open calls are this session's. */
  openCalls: number;
  lastTime: number;
}

/** A call whose Return has not been seen yet. */
interface OpenCall {
  readonly session: PerfettoSession;
  readonly category: string;
  /** `category:questionId`, the slice's id. */
  readonly id: string;
  /** The method name, cut to 200 characters. */
  readonly name: string;
}

/**
 * `text` cut to `max` characters, as a string of its own: V8's `slice` shares the whole original's
 * memory (a megabyte-long question id would stay held for 32 characters), and these are kept.
 */
function keptCopy(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, max).split('').join('');
}
