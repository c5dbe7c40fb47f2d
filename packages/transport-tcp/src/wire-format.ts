import { type CloseCode, closeCodes } from '@msc/transport';

/**
 * The wire format of a TCP connection: a sequence of records, each opening with a 4-byte big-endian word.
 *
 * - A word below {@link firstControlWord} is a frame's length; that many payload bytes follow (0 is an empty
 *   frame). It never exceeds the receiver's `maxFrameBytes`; a larger one is a protocol violation, detected before
 *   anything is allocated for it.
 * - {@link pingWord}: "I heard nothing from you lately; answer me". The receiver answers {@link pongWord}.
 * - {@link pongWord}: "I am alive". Sent in answer to a ping, and unprompted by a side whose reading is paused
 *   (its receiver is slow), so that the peer does not mistake backpressure for a dead connection.
 * - {@link closeWord} and {@link abortWord}: a notice, followed by a 4-byte length and that many bytes of UTF-8
 *   JSON `{ "code": CloseCode, "message": string }`. A close notice is the sender's last record before its FIN (a
 *   graceful close: the receiver reports that code and message); an abort notice says the sender dropped what it
 *   had not sent and is going away (the receiver drops what it has not delivered).
 */
export const firstControlWord = 0xffff_fff0;
/** See {@link firstControlWord}. */
export const pingWord = 0xffff_ffff;
/** See {@link firstControlWord}. */
export const pongWord = 0xffff_fffe;
/** See {@link firstControlWord}. */
export const closeWord = 0xffff_fffd;
/** See {@link firstControlWord}. */
export const abortWord = 0xffff_fffc;

/** The largest notice body a receiver accepts, in bytes; messages are cut well below it when sent. */
export const maxNoticeBytes = 4096;
/** How many characters of a close message travel in a notice. */
const maxNoticeMessageCharacters = 1000;

/** The largest `maxFrameBytes` a connection may have: lengths from {@link firstControlWord} up are reserved. */
export const largestMaxFrameBytes = firstControlWord - 1;

/** A 4-byte record holding only `word` (a ping or a pong). */
export function controlRecord(word: number): Uint8Array {
  const record = new Uint8Array(4);
  new DataView(record.buffer).setUint32(0, word);
  return record;
}

/** What a close or abort notice carries. */
export interface Notice {
  readonly code: CloseCode;
  readonly message: string;
}

/** A close or abort notice record: `word`, the body's length, the body. */
export function noticeRecord(word: typeof closeWord | typeof abortWord, notice: Notice): Uint8Array {
  const body = new TextEncoder().encode(
    JSON.stringify({ code: notice.code, message: notice.message.slice(0, maxNoticeMessageCharacters) }),
  );
  const record = new Uint8Array(8 + body.byteLength);
  const view = new DataView(record.buffer);
  view.setUint32(0, word);
  view.setUint32(4, body.byteLength);
  record.set(body, 8);
  return record;
}

/** Decodes a notice body; returns undefined when it is not one (the caller treats that as a protocol violation). */
export function parseNotice(body: Uint8Array): Notice | undefined {
  try {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { code, message } = value as { code?: unknown; message?: unknown };
    if (typeof code !== 'string' || !closeCodes.includes(code as CloseCode)) return undefined;
    if (typeof message !== 'string' || message.length === 0) return undefined;
    return { code: code as CloseCode, message };
  } catch {
    return undefined;
  }
}
