import type { CloseCode, CloseReason } from '@msc/transport';
import { describeError } from '@msc/transport/kit';

/**
 * WebSocket close status codes for each {@link CloseCode}. `normal` is the standard 1000; the others use the
 * private range 4000–4999, which browsers may send too (they refuse 1001–2999 in `close()`).
 */
const statusOfCode: Record<CloseCode, number> = {
  normal: 1000,
  aborted: 4001,
  protocol: 4002,
  timeout: 4003,
  error: 4004,
  limit: 4005,
};

/** The WebSocket status to close with for `code`. */
export function statusFor(code: CloseCode): number {
  return statusOfCode[code];
}

/** The {@link CloseCode} a received WebSocket status stands for (standard statuses included). */
export function codeForStatus(status: number): CloseCode {
  switch (status) {
    case 1000:
    case 1001:
      return 'normal';
    case 4001:
      return 'aborted';
    case 4002:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
      return 'protocol';
    case 4003:
      return 'timeout';
    case 4005:
      return 'limit';
    default:
      return 'error';
  }
}

/** A close reason cut to the 123 bytes of UTF-8 a WebSocket close frame can carry. */
export function closeMessage(message: string): string {
  const bytes = new TextEncoder().encode(message);
  if (bytes.byteLength <= 123) return message;
  let end = 120;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // do not cut a character in half
  return `${new TextDecoder().decode(bytes.subarray(0, end))}...`;
}

/**
 * The close reason of a WebSocket that closed with `status` and `reason` other than as the answer to our own close:
 * the peer's reason when it gave one, else what the status says (1006: lost without a close frame, with the
 * socket's last error).
 *
 * @param brokeProtocol whether the platform closed it because the peer broke the WebSocket protocol
 */
export function webSocketEnding(
  status: number,
  reason: string,
  error: unknown,
  brokeProtocol: boolean,
): CloseReason {
  return {
    code: brokeProtocol ? 'protocol' : codeForStatus(status),
    message:
      reason !== ''
        ? reason
        : status === 1006
          ? `the connection was lost without a close frame${error === undefined ? '' : ` (${describeError(error)})`}`
          : `the peer closed the connection with status ${status}`,
    remote: true,
    ...(error === undefined ? {} : { error }),
  };
}
