import type { CloseCode } from '@msc/transport';

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
