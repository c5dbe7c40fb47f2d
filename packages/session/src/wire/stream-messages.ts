import type {
  StreamCancelMessage,
  StreamCreditMessage,
  StreamDeliveredMessage,
  StreamEndMessage,
  StreamItemsMessage,
} from './message.ts';
import { isCount, ProtocolViolation } from './violations.ts';

/*
 * The form checks of the stream messages (protocol.ts `StreamItems`, `StreamCredit`, `StreamEnd`,
 * `StreamCancel`, `StreamDelivered`), which `parseMessage` leaves to the stream part: the part calls
 * the check of a message before it reads a field of it, so a program with streams refuses exactly
 * what it refused when `parseMessage` checked them, and a page without the part (the browser entry)
 * carries no check for messages it refuses unread. Each throws ProtocolViolation (the session ends
 * with `protocol`).
 */

/** Checks a `StreamItems`: a stream id and an array of items or a byte string. */
export function checkStreamItems(message: StreamItemsMessage): void {
  const payload: unknown = message[2];
  if (!isCount(message[1]) || !(Array.isArray(payload) || payload instanceof Uint8Array)) {
    throw new ProtocolViolation('malformed stream items');
  }
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
