import type { ContractRegistry, ValueFormWrite } from '@msc/serialization';
import type { Connection } from '@msc/transport';
import type { CapabilityCodec, PayloadContext } from './capability-codec.ts';
import type { SessionTracer } from './trace.ts';
import type { Message } from './wire/message.ts';
import type { OutgoingMessage } from './wire/outgoing-message.ts';
import { ProtocolViolation } from './wire/violations.ts';

/**
 * Values mode's seam (protocol.ts, "Values mode"): how a session writes, sends and reads messages as
 * structured-clone values over a connection that carries them. Empty until {@link installValueMode}
 * fills it (`enableMessagePortValues()`, in `enable-message-port-values.ts`, opt-in on both entries):
 * empty, so a page that never talks over a MessagePort carries none of this code, and a
 * session without it does not offer values in its hello.
 */
export interface ValueMode {
  /**
   * A session's values channel over `connection` (which carries values), with its settings; it
   * tells `tracer` of every message it reads.
   */
  attach(
    connection: Connection,
    capabilities: CapabilityCodec,
    registry: ContractRegistry,
    maxFrameBytes: number,
    maxDepth: number,
    errorStacks: boolean,
    tracer: SessionTracer | undefined,
  ): ValuesChannel;
}

/** One session's values mode (made when its connection carries values; used once both hellos agreed). */
export interface ValuesChannel {
  /**
   * Writes one outgoing message in the value form; on failure undoes what it exported.
   *
   * @throws what the value form throws
   */
  write(message: unknown[]): ValueFormWrite;
  /**
   * Sends the run of value-form messages from `first` as values frames (split at the frame limit by
   * their estimates); answers where the run ends.
   */
  send(messages: readonly OutgoingMessage[], first: number): number;
  /**
   * Both hellos offered values mode and the session is established: values frames are accepted from
   * now on (the peer sends them only once it is established too, which is after this side's
   * `Configure` reached it and its own `Configure` left, so it reaches this side first). Answers itself.
   */
  agree(): ValuesChannel;
  /**
   * Checks a values frame that arrived, message by message, and hands each to `receiver`. `declared`
   * is the size the peer declared for it, which the connection counted for its budget and flow
   * control: the frame's estimate may not exceed it.
   *
   * @throws ProtocolViolation (before {@link ValuesChannel.agree}, a malformed message, or an estimate
   *   over `declared`), LimitViolation (`maxFrameBytes`) or DecodeError for what the peer may not send
   */
  receive(values: unknown, declared: number, receiver: ValuesReceiver): void;
}

/** Where {@link ValuesChannel.receive} delivers the messages of a values frame: the session. */
export interface ValuesReceiver {
  /** One checked message and its context (traced by the channel), routed as any other. */
  deliver(message: Message, context: PayloadContext): void;
  /** Whether to stop before the next message (the session ended while reading the frame). */
  readonly isTerminated: boolean;
}

/** What receives a values frame on a session that never offered values mode: a protocol violation. */
export const refusedValues: Pick<ValuesChannel, 'receive'> = {
  receive(): never {
    throw new ProtocolViolation('a values frame, but this side never offered values mode');
  },
};

let installed: ValueMode | undefined;

/** Fills the seam; sessions started from now on offer values where their connection carries them. */
export function installValueMode(mode: ValueMode): void {
  installed = mode;
}

/**
 * A session's values channel (see {@link ValueMode.attach}), or `undefined` when values mode is not
 * installed or `connection` does not carry values (the session then does not offer it).
 */
export function attachValues(
  connection: Connection,
  capabilities: CapabilityCodec,
  registry: ContractRegistry,
  maxFrameBytes: number,
  maxDepth: number,
  errorStacks: boolean,
  tracer: SessionTracer | undefined,
): ValuesChannel | undefined {
  return installed !== undefined && connection.carriesValues === true
    ? installed.attach(connection, capabilities, registry, maxFrameBytes, maxDepth, errorStacks, tracer)
    : undefined;
}
