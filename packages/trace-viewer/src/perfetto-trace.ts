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
 */
export class PerfettoTrace {
  readonly #sessions = new Map<string, PerfettoSession>();
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
      session = { pid: this.#sessions.size + 1, open: new Map(), lastTime: 0 };
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
    if (record.type === 'Call' && session.open.size < maxOpenCalls) {
      const category = record.direction === 'out' ? 'calls made' : 'calls answered';
      const id = `${category}:${String(fields.questionId)}`;
      if (!session.open.has(id)) {
        const name = String(fields.method ?? 'call').slice(0, 200);
        session.open.set(id, name);
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
      const id = `${category}:${String(fields.questionId)}`;
      const name = session.open.get(id);
      if (name !== undefined) {
        session.open.delete(id);
        return (
          output +
          this.#emit({
            ph: 'e',
            cat: category,
            name,
            id,
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
    for (const session of this.#sessions.values()) {
      const ts = Math.round(session.lastTime * 1000);
      for (const [id, name] of session.open) {
        const category = id.slice(0, id.lastIndexOf(':'));
        output += this.#emit({
          ph: 'e',
          cat: category,
          name,
          id,
          pid: session.pid,
          tid: 1,
          ts,
          args: { unfinished: true },
        });
      }
      session.open.clear();
    }
    return `${output}\n]}\n`;
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

interface PerfettoSession {
  readonly pid: number;
  /** Open calls: `category:questionId` → method name. */
  readonly open: Map<string, string>;
  lastTime: number;
}
