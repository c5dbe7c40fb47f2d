/**
 * Where a server's listeners and scopes tell the operator what went wrong at the edge: connections
 * and sessions refused, handshakes that failed, limits a peer hit, sessions that ended abnormally.
 * Each report is one structured event (an object whose `event` names what happened, with the
 * details as fields) and a sentence saying the same for people.
 *
 * The shape is the one `console` and pino already have, `method(object, message)`, so either plugs
 * in as it is: `logger: console` prints the event object and the sentence; `logger: pino()` writes
 * the fields beside `msg`. Anything else with `info` and `warn` methods of that shape works too.
 * Nothing is logged unless a logger is given.
 *
 * @example
 * ```ts
 * import { tcp } from '@msc/transport-tcp';
 *
 * const transport = tcp({ logger: console }); // refused connections, failed TLS handshakes
 * // new Scope({ transport, authenticator, root, logger: console }); // refused sessions, limits hit
 * ```
 */
export interface Logger {
  /** Something worth knowing that is not a fault of this side or an attack (a peer that vanished). */
  info(event: LogEvent, message: string): void;
  /** A refusal, a failed handshake, a limit hit, a session that ended with a protocol error. */
  warn(event: LogEvent, message: string): void;
}

/**
 * One structured log event. `event` says what happened (`connection-refused`, `session-refused`,
 * `handshake-failed`, `limit-hit`, `session-failed`); the other fields are the details each event
 * documents where it is emitted (always `remoteAddress` when a peer is known).
 */
export interface LogEvent {
  readonly event: string;
  readonly [field: string]: string | number | boolean | undefined;
}
