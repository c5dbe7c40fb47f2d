import type { AbortedError } from '@msc/eventual';
import type { SessionLimits } from './limits.ts';
import { notEnabled } from './not-enabled.ts';
import type { StreamMessage } from './wire/message.ts';
import type { StreamDescriptor } from './wire/protocol.ts';
import { ProtocolViolation } from './wire/violations.ts';
import type { StreamPort } from './wire-stream.ts';

/**
 * The stream part of a session, optional (docs/semantics.md#streaming): its implementation,
 * `StreamBridge` (stream-bridge.ts) with the stream queues of `@msc/eventual`, is about a tenth of a
 * browser client, so only the entry that installs it carries it. `@msc/session`'s Node (default)
 * entry installs it when it loads; its `browser` entry does not, and a page that sends or receives
 * a stream calls `enableStreams()` (enable-streams.ts) once before its first session.
 *
 * Without it a session has no streams: stream messages name no stream of this side (dropped, as
 * the bridge drops messages for a stream that ended meanwhile), sending a stream endpoint fails
 * that call, and a stream arriving from the peer ends the session, each with an error naming
 * `enableStreams()`. This file holds only the seam; the session asks it for its part when it starts.
 */

/** What a session's parts use of its streams (`StreamBridge` implements it). */
export interface StreamPart {
  /** Live streams (for stats and leak checks). */
  readonly size: number;
  /**
   * Turns an endpoint being sent into its descriptor and sets up this side of the stream.
   *
   * @throws TypeError for a stream that has already ended; RangeError when this side already has
   *   `maxStreams` streams open to the peer; the session's `AbortedError` once it ended
   */
  export(endpoint: object): StreamDescriptor;
  /** @internal Undoes an export whose message was never sent. */
  unexport_(descriptor: StreamDescriptor): void;
  /**
   * Turns a received descriptor into the local endpoint the user gets.
   *
   * @throws ProtocolViolation for a stream id the peer may not use; LimitViolation past `maxStreams`
   */
  import(descriptor: StreamDescriptor): object;
  /**
   * @internal A stream message (`StreamItems`, `StreamCredit`, `StreamEnd`, `StreamCancel` or
   * `StreamDelivered`). @throws ProtocolViolation for a malformed one, items beyond the credit, or a
   * stream of the wrong role
   */
  receive_(message: StreamMessage): void;
  /** @internal The session ended: every stream spanning it ends with `error`. */
  abortAll_(error: AbortedError): void;
}

/** The session limits a stream part reads. */
export type StreamLimits = Pick<SessionLimits, 'maxStreamCapacity' | 'maxByteStreamCapacity' | 'maxStreams'>;

/**
 * Makes the stream part of one session (the `StreamBridge` constructor's parameters; `version`
 * reads the session's agreed protocol version).
 */
export type StreamPartFactory = (
  port: StreamPort,
  role: 'dialer' | 'listener',
  limits: StreamLimits,
  version: () => number,
) => StreamPart;

/** What a session without streams says when one is sent or arrives. */
const enableStreamsHint = notEnabled('streams', 'enableStreams');

/**
 * A stream, or a stream message, from the peer of a session without streams: it ends the session
 * (`protocol`, the message to both sides), as the peer's stream cannot be read here.
 */
function peerStream(): never {
  throw new ProtocolViolation(`the peer sent a stream, but ${enableStreamsHint}`);
}

/** The part of every session that started before streams were installed: it holds nothing. */
const noStreams: StreamPart = {
  size: 0,
  export() {
    throw new TypeError(`cannot send a stream: ${enableStreamsHint}`);
  },
  /** @internal */
  unexport_() {},
  import: peerStream,
  // Forged: no stream ever crossed this session (a stream arriving ended it, see `import`), so a
  // stream message names none and ends the session (`protocol`), as the bridge's checks would.
  /** @internal */
  receive_: peerStream,
  /** @internal */
  abortAll_() {},
};

let installed: StreamPartFactory | undefined;

/**
 * Installs the stream part for every session that starts from now on (`enableStreams()`);
 * `undefined` removes it again (for tests of a program without streams).
 */
export function installStreamPart(factory: StreamPartFactory | undefined): void {
  installed = factory;
}

/** The stream part of a session starting now: the installed one, or one without streams. */
export function createStreamPart(
  port: StreamPort,
  role: 'dialer' | 'listener',
  limits: StreamLimits,
  version: () => number,
): StreamPart {
  return installed === undefined ? noStreams : installed(port, role, limits, version);
}
