import { printable } from './printable.ts';

/**
 * One event of a trace as `jsonLinesTraceSink` (`@msc/session`) writes it, one JSON object a line:
 *
 * ```json
 * {"time":3.172,"direction":"out","session":"client","type":"Call","size":21,"fields":{"questionId":0,"target":"export","targetId":0,"method":"add","arguments":1}}
 * ```
 *
 * The fields of each message type are listed on `TraceFields` in `@msc/session`. A trace file is
 * input like any other: {@link parseTraceRecord} checks every property before the viewer reads it.
 */
export interface TraceRecord {
  /** Milliseconds since the session started. */
  readonly time: number;
  /** `out`: this side sent it; `in`: received. For `End`, `in` when the peer or the connection ended the session. */
  readonly direction: 'in' | 'out';
  /** The session's label. */
  readonly session: string;
  /** The message type (`Call`, `Return`, ...), `Hello` or `End`. */
  readonly type: string;
  /** The encoded size in bytes. */
  readonly size: number;
  /** Named ids, counts and names; never a value. */
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A line that is not a trace event; the message says what was expected and what came. Text from
 * the line in it (a field name, JSON's own excerpt) is passed through {@link printable}.
 */
export class TraceLineError extends Error {
  override readonly name = 'TraceLineError';
  readonly code = 'malformed-line';
}

/** The longest session label and type name kept (longer ones are refused as malformed). */
const maxNameLength = 1024;

/**
 * Parses one line of a trace.
 *
 * @throws TraceLineError when the line is not JSON or not a trace event (naming the property)
 */
export function parseTraceRecord(line: string): TraceRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    // V8's message quotes the line, control characters and all: escaped, so a trace cannot
    // drive the terminal through stderr.
    throw new TraceLineError(
      `expected a JSON object, but the line is not JSON (${printable((error as Error).message, 160)})`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TraceLineError(
      `expected a JSON object, but got ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  const { time, direction, session, type, size, fields } = value as Record<string, unknown>;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
    throw new TraceLineError('expected "time" to be a number of milliseconds of 0 or more');
  }
  if (direction !== 'in' && direction !== 'out') {
    throw new TraceLineError('expected "direction" to be "in" or "out"');
  }
  if (typeof session !== 'string' || session.length > maxNameLength) {
    throw new TraceLineError(`expected "session" to be a string of at most ${maxNameLength} characters`);
  }
  if (typeof type !== 'string' || type.length === 0 || type.length > maxNameLength) {
    throw new TraceLineError(
      `expected "type" to be a message type name of at most ${maxNameLength} characters`,
    );
  }
  if (size !== undefined && (typeof size !== 'number' || !Number.isFinite(size) || size < 0)) {
    throw new TraceLineError('expected "size" to be a number of bytes of 0 or more');
  }
  if (fields !== undefined && (typeof fields !== 'object' || fields === null || Array.isArray(fields))) {
    throw new TraceLineError('expected "fields" to be an object of named ids and names');
  }
  const checked: Record<string, string | number | boolean> = {};
  for (const [name, field] of Object.entries((fields ?? {}) as Record<string, unknown>)) {
    if (typeof field !== 'string' && typeof field !== 'number' && typeof field !== 'boolean') {
      throw new TraceLineError(`expected field "${printable(name, 64)}" to be a string, number or boolean`);
    }
    checked[name] = field;
  }
  return { time, direction, session, type, size: size ?? 0, fields: checked };
}
