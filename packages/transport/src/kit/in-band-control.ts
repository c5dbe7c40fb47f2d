import { type CloseCode, closeCodes } from '../close-reason.ts';
import type { DriverEvents } from './connection-driver.ts';

/**
 * The lifecycle messages of media that carry whole messages rather than a byte stream (memory, MessagePort, IPC),
 * each sent after everything its sender wrote before it:
 * - `close` (after the closer's last frame): the receiver is closed (`remote: true`, with the closer's `code` and
 *   `message`) and answers `close-reply`.
 * - `close-reply` (after the answerer's last frame): the closer is closed.
 * - `abort`: the sender dropped everything and is gone; the receiver drops what it has not delivered (`message`
 *   says why).
 * Each medium wraps them in its own envelope (a tag of its own, beside its own messages).
 */
export type InBandControlKind = 'close' | 'close-reply' | 'abort';

/** How many characters of a peer's close or abort message are kept. */
const maxMessageCharacters = 1000;

/**
 * Reports an in-band control message that arrived to `events`. Its fields come from the peer and are checked: a
 * close with a code that is not a {@link CloseCode} or without a message string is a violation.
 *
 * @returns false when `kind` is not an {@link InBandControlKind} (the caller decides what that means)
 */
export function receiveInBandControl(
  events: DriverEvents,
  kind: unknown,
  code: unknown,
  message: unknown,
): boolean {
  switch (kind) {
    case 'close':
      if (
        typeof code !== 'string' ||
        !closeCodes.includes(code as CloseCode) ||
        typeof message !== 'string'
      ) {
        events.violation('expected a close message with a close code and a message, but got something else');
      } else {
        events.peerClosed(code as CloseCode, message.slice(0, maxMessageCharacters));
      }
      return true;
    case 'close-reply':
      events.closeConfirmed();
      return true;
    case 'abort':
      events.peerAborted(
        'aborted',
        typeof message === 'string'
          ? message.slice(0, maxMessageCharacters)
          : 'the peer aborted the connection',
      );
      return true;
    default:
      return false;
  }
}
