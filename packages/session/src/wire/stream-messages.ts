import type {
  StreamCancelMessage,
  StreamCreditMessage,
  StreamDeliveredMessage,
  StreamEndMessage,
  StreamItemsMessage,
  StreamMessage,
} from './message.ts';
import {
  messageTypeStreamCancel,
  messageTypeStreamCredit,
  messageTypeStreamDelivered,
  messageTypeStreamEnd,
  messageTypeStreamItems,
} from './protocol.ts';
import { isCount, ProtocolViolation } from './violations.ts';

/*
 * The stream messages (protocol.ts `StreamItems`, `StreamCredit`, `StreamEnd`, `StreamCancel`,
 * `StreamDelivered`) as the stream part receives them: the session hands all five to the part
 * (`StreamPart.receive_`), and the bridge's {@link routeStreamMessage} checks each one's form, which
 * `parseMessage` leaves to the part, before its handler reads a field of it. A program with streams
 * refuses exactly what it refused when `parseMessage` checked them, and a page without the part (the
 * browser entry) carries neither the checks nor the routing for messages it refuses unread. Each
 * check throws ProtocolViolation (the session ends with `protocol`).
 */

/** The stream part's handler of each stream message, called once its form was checked. */
export interface StreamReceivers {
  /** @internal */
  receiveItems_(message: StreamItemsMessage): void;
  /** @internal */
  receiveCredit_(message: StreamCreditMessage): void;
  /** @internal */
  receiveEnd_(message: StreamEndMessage): void;
  /** @internal */
  receiveCancel_(message: StreamCancelMessage): void;
  /** @internal */
  receiveDelivered_(message: StreamDeliveredMessage): void;
}

/**
 * Checks the form of `message` and hands it to its handler in `receivers`.
 *
 * @throws ProtocolViolation for a malformed message, and what its handler throws
 */
export function routeStreamMessage(receivers: StreamReceivers, message: StreamMessage): void {
  switch (message[0]) {
    case messageTypeStreamItems:
      checkStreamItems(message);
      receivers.receiveItems_(message);
      break;
    case messageTypeStreamCredit:
      checkStreamCredit(message);
      receivers.receiveCredit_(message);
      break;
    case messageTypeStreamEnd:
      checkStreamEnd(message);
      receivers.receiveEnd_(message);
      break;
    case messageTypeStreamCancel:
      checkStreamCancel(message);
      receivers.receiveCancel_(message);
      break;
    case messageTypeStreamDelivered:
      checkStreamDelivered(message);
      receivers.receiveDelivered_(message);
      break;
  }
}

/** Checks a `StreamItems`: a stream id and an array of items or a byte string of at least 1 byte. */
export function checkStreamItems(message: StreamItemsMessage): void {
  const payload: unknown = message[2];
  if (!isCount(message[1]) || !(Array.isArray(payload) || payload instanceof Uint8Array)) {
    throw new ProtocolViolation('malformed stream items');
  }
  if (payload instanceof Uint8Array && payload.byteLength === 0) refuseEmptyChunk(message[1]);
}

/**
 * An empty byte chunk costs no credit, so a sink would queue any number of them. An honest source
 * never sends one: `BytesWriter.write` drops empty chunks, and the pump sends a chunk only with
 * credit, at least one byte of it (stream-source-pump.ts).
 */
function refuseEmptyChunk(id: number): never {
  throw new ProtocolViolation(
    `malformed stream items: stream ${id} sent an empty byte chunk, where a chunk has at least 1 byte`,
  );
}

/** Checks a `StreamCredit`: a stream id, a credit, and a capacity and batch size of at least 1. */
export function checkStreamCredit(message: StreamCreditMessage): void {
  const capacity: unknown = message[3];
  const batchSize: unknown = message[4];
  if (
    !isCount(message[1]) ||
    !isCount(message[2]) ||
    !isCount(capacity) ||
    !isCount(batchSize) ||
    capacity === 0 ||
    batchSize === 0
  ) {
    throw new ProtocolViolation('malformed stream credit');
  }
}

/** Checks a `StreamEnd`: a stream id and how it ended (0 or 1). */
export function checkStreamEnd(message: StreamEndMessage): void {
  const how: unknown = message[2];
  if (!isCount(message[1]) || (how !== 0 && how !== 1)) throw new ProtocolViolation('malformed stream end');
}

/** Checks a `StreamCancel`: a stream id and, if present, how it was cancelled (0 or 1). */
export function checkStreamCancel(message: StreamCancelMessage): void {
  const how: unknown = message[3];
  if (!isCount(message[1]) || (how !== undefined && how !== 0 && how !== 1)) {
    throw new ProtocolViolation('malformed stream cancel');
  }
}

/** Checks a `StreamDelivered`: a stream id. */
export function checkStreamDelivered(message: StreamDeliveredMessage): void {
  if (!isCount(message[1])) throw new ProtocolViolation('malformed stream delivered');
}
