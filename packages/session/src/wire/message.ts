import { type SessionErrorCode, type SessionStep, sessionErrorCodes } from '../session-error.ts';
import { isCapabilityDescriptor } from './descriptor.ts';
import {
  type CancelReason,
  type Descriptor,
  messageTypeAbort,
  messageTypeAnswerCopy,
  messageTypeAuthenticate,
  messageTypeCall,
  messageTypeCancel,
  messageTypeConfigure,
  messageTypeDisembargoReply,
  messageTypeDisembargoRequest,
  messageTypeFinish,
  messageTypeRelease,
  messageTypeResolve,
  messageTypeReturn,
  messageTypeRevoke,
  messageTypeStreamCancel,
  messageTypeStreamCredit,
  messageTypeStreamDelivered,
  messageTypeStreamEnd,
  messageTypeStreamItems,
  type ResolveKind,
  type ReturnKind,
  resolveKindCapability,
  resolveKindError,
  resolveKindReleased,
  returnKindCapability,
  returnKindError,
  returnKindTargetFinished,
  returnKindValue,
  type StreamCancelling,
  type StreamEnding,
  type TargetKind,
  targetKindAnswer,
  targetKindExport,
} from './protocol.ts';
import { isId, ProtocolViolation } from './violations.ts';

/**
 * A received message, parsed: {@link parseMessage} checks every field a message of its type must
 * have (types, id ranges, kinds) and answers the same array typed as one of these tuples, so the
 * parts that receive it read named, checked fields and check nothing of the message's form. No
 * copy is made (a message costs no allocation beyond its decoding). What only a table can know
 * (whether an id is live) is checked by that table. The stream messages are the exception: the
 * stream part checks their fields (stream-messages.ts) before it reads them, so a page without
 * streams carries neither the checks nor the part, and ends the session at any such message unread
 * (no stream can cross it: see stream-part.ts).
 */

/** `[Authenticate, bytes]`: one message of the authenticator's exchange. */
export type AuthenticateMessage = readonly [type: typeof messageTypeAuthenticate, bytes: Uint8Array];
/** `[Configure, rootDescriptor]`: the peer's root capability. */
export type ConfigureMessage = readonly [type: typeof messageTypeConfigure, root: Descriptor];
/** `[Abort, step, code, message]`: the peer ends the session (fields normalised, never rejected). */
export type AbortMessage = readonly [
  type: typeof messageTypeAbort,
  step: SessionStep,
  code: SessionErrorCode,
  message: string,
];
/**
 * `[Call, questionId, targetKind, targetId, method, arguments, context?]` (the context from version
 * 4; its form is checked, its values by the answers: `call-context-field.ts`).
 */
export type CallMessage = readonly [
  type: typeof messageTypeCall,
  questionId: number,
  targetKind: TargetKind,
  targetId: number,
  method: string,
  args: unknown[],
  context?: readonly unknown[],
];
/** `[Cancel, questionId, why?]` (version 4). */
export type CancelMessage = readonly [type: typeof messageTypeCancel, questionId: number, why?: CancelReason];
/**
 * `[Return, questionId, kind, payload]` (a `Capability` payload is a checked descriptor; a
 * `TargetFinished` one, version 5, has none).
 */
export type ReturnMessage = readonly [
  type: typeof messageTypeReturn,
  questionId: number,
  kind: ReturnKind,
  payload: unknown,
];
/** `[AnswerCopy, questionId, kind, payload]` (version 5; kind `Value` or `Error`). */
export type AnswerCopyMessage = readonly [
  type: typeof messageTypeAnswerCopy,
  questionId: number,
  kind: typeof returnKindValue | typeof returnKindError,
  payload: unknown,
];
/** `[Finish, questionId]`. */
export type FinishMessage = readonly [type: typeof messageTypeFinish, questionId: number];
/** `[Release, exportId, count]` (count at least 1). */
export type ReleaseMessage = readonly [type: typeof messageTypeRelease, exportId: number, count: number];
/**
 * `[DisembargoRequest, targetId, embargoId, targetKind?]`: `targetId` is a question id (no kind, or
 * `targetKindAnswer`) or, in version 2, a promise export id (`targetKindExport`).
 */
export type DisembargoRequestMessage = readonly [
  type: typeof messageTypeDisembargoRequest,
  targetId: number,
  embargoId: number,
  targetKind?: TargetKind,
];
/** `[DisembargoReply, embargoId]`. */
export type DisembargoReplyMessage = readonly [type: typeof messageTypeDisembargoReply, embargoId: number];
/**
 * `[Resolve, promiseId, kind, payload]` (version 2): a `Capability` payload is a checked descriptor,
 * an `Error` payload the error, a `Released` one nothing.
 */
export type ResolveMessage = readonly [
  type: typeof messageTypeResolve,
  promiseId: number,
  kind: ResolveKind,
  payload: unknown,
];
/** `[StreamItems, streamId, payload]`: an array of items, or a byte string. */
export type StreamItemsMessage = readonly [
  type: typeof messageTypeStreamItems,
  streamId: number,
  payload: unknown[] | Uint8Array,
];
/** `[StreamCredit, streamId, credit, capacity, batchSize]` (capacity and batch size at least 1). */
export type StreamCreditMessage = readonly [
  type: typeof messageTypeStreamCredit,
  streamId: number,
  credit: number,
  capacity: number,
  batchSize: number,
];
/** `[StreamEnd, streamId, how, error]`. */
export type StreamEndMessage = readonly [
  type: typeof messageTypeStreamEnd,
  streamId: number,
  how: StreamEnding,
  error: unknown,
];
/** `[StreamCancel, streamId, error, how]` (`how` absent from a version 1 peer: a cancel). */
export type StreamCancelMessage = readonly [
  type: typeof messageTypeStreamCancel,
  streamId: number,
  error: unknown,
  how?: StreamCancelling,
];
/** `[Revoke, exportId, error]` (version 2). */
export type RevokeMessage = readonly [type: typeof messageTypeRevoke, exportId: number, error: unknown];
/** `[StreamDelivered, streamId]`. */
export type StreamDeliveredMessage = readonly [type: typeof messageTypeStreamDelivered, streamId: number];

/** A message of the stream part (stream-part.ts, `StreamPart.receive_`). */
export type StreamMessage =
  | StreamItemsMessage
  | StreamCreditMessage
  | StreamEndMessage
  | StreamCancelMessage
  | StreamDeliveredMessage;

/** Any message after the hellos. */
export type Message =
  | AuthenticateMessage
  | ConfigureMessage
  | AbortMessage
  | CallMessage
  | ReturnMessage
  | AnswerCopyMessage
  | FinishMessage
  | ReleaseMessage
  | DisembargoRequestMessage
  | DisembargoReplyMessage
  | ResolveMessage
  | StreamItemsMessage
  | StreamCreditMessage
  | StreamEndMessage
  | StreamCancelMessage
  | StreamDeliveredMessage
  | RevokeMessage
  | CancelMessage;

const sessionSteps: ReadonlySet<unknown> = new Set<SessionStep>([
  'transport',
  'version',
  'authentication',
  'configuration',
  'session',
]);

/**
 * Checks a decoded message and answers it typed (a stream message's fields are the stream part's
 * to check: see `stream-messages.ts`).
 *
 * @throws ProtocolViolation naming what is malformed (the session ends with `protocol`)
 */
export function parseMessage(value: unknown): Message {
  if (!Array.isArray(value) || typeof value[0] !== 'number') {
    throw new ProtocolViolation('a message must be an array starting with its type');
  }
  const message = value as unknown[];
  switch (message[0]) {
    case messageTypeAuthenticate:
      if (!(message[1] instanceof Uint8Array)) {
        throw new ProtocolViolation('an authentication message must carry bytes');
      }
      break;
    case messageTypeConfigure:
      if (!isCapabilityDescriptor(message[1])) throw new ProtocolViolation('malformed capability descriptor');
      break;
    case messageTypeAbort: {
      // An abort is never refused: whatever the peer says, the session ends; odd fields get defaults.
      const [, step, code, text] = message;
      message[1] = sessionSteps.has(step) ? step : 'session';
      message[2] = sessionErrorCodes.has(code as SessionErrorCode) ? code : 'closed';
      message[3] = typeof text === 'string' ? text.slice(0, 4096) : 'the peer ended the session';
      break;
    }
    // The per-call messages read their fields by index (no iterator, no copies on the hot path).
    case messageTypeCall: {
      const targetKind = message[2];
      if (
        !isId(message[1]) ||
        !isId(message[3]) ||
        typeof message[4] !== 'string' ||
        !Array.isArray(message[5]) ||
        (message.length > 6 && !(message.length === 7 && Array.isArray(message[6])))
      ) {
        throw new ProtocolViolation('malformed call');
      }
      if (targetKind !== targetKindExport && targetKind !== targetKindAnswer) {
        throw new ProtocolViolation(`unknown call target kind ${String(targetKind)}`);
      }
      break;
    }
    case messageTypeReturn: {
      const kind = message[2];
      if (
        !isId(message[1]) ||
        (kind !== returnKindValue &&
          kind !== returnKindError &&
          kind !== returnKindCapability &&
          !(kind === returnKindTargetFinished && message.length === 3))
      ) {
        throw new ProtocolViolation('malformed return');
      }
      if (kind === returnKindCapability && !isCapabilityDescriptor(message[3])) {
        throw new ProtocolViolation('malformed capability descriptor');
      }
      break;
    }
    case messageTypeFinish:
      if (!isId(message[1])) throw new ProtocolViolation('malformed finish');
      break;
    case messageTypeAnswerCopy: {
      const kind = message[2];
      if (!isId(message[1]) || (kind !== returnKindValue && kind !== returnKindError)) {
        throw new ProtocolViolation('malformed answer copy');
      }
      break;
    }
    case messageTypeRelease: {
      const count = message[2];
      if (!isId(message[1]) || !isId(count) || count === 0) throw new ProtocolViolation('malformed release');
      break;
    }
    case messageTypeDisembargoRequest: {
      const targetKind = message[3];
      if (
        !isId(message[1]) ||
        !isId(message[2]) ||
        (targetKind !== undefined && targetKind !== targetKindAnswer && targetKind !== targetKindExport)
      ) {
        throw new ProtocolViolation('malformed disembargo request');
      }
      break;
    }
    case messageTypeResolve: {
      const kind = message[2];
      if (
        !isId(message[1]) ||
        (kind !== resolveKindCapability && kind !== resolveKindError && kind !== resolveKindReleased)
      ) {
        throw new ProtocolViolation('malformed resolve');
      }
      if (kind === resolveKindCapability && !isCapabilityDescriptor(message[3])) {
        throw new ProtocolViolation('malformed capability descriptor');
      }
      break;
    }
    case messageTypeDisembargoReply:
      if (!isId(message[1])) throw new ProtocolViolation('malformed disembargo reply');
      break;
    case messageTypeRevoke:
      if (!isId(message[1])) throw new ProtocolViolation('malformed revoke');
      break;
    // The stream messages are checked by the stream part that reads them (stream-messages.ts): a
    // session without one refuses them all unread (protocol), as no stream can have crossed it.
    case messageTypeStreamItems:
    case messageTypeStreamCredit:
    case messageTypeStreamEnd:
    case messageTypeStreamCancel:
    case messageTypeStreamDelivered:
      break;
    case messageTypeCancel:
      if (!isId(message[1]) || (message[2] !== undefined && message[2] !== 0 && message[2] !== 1)) {
        throw new ProtocolViolation('malformed cancel');
      }
      break;
    default:
      throw new ProtocolViolation(`unknown message type ${message[0]}`);
  }
  return message as unknown as Message;
}
