import type { ChildProcess } from 'node:child_process';
import { describeError } from '@msc/transport/kit';

/**
 * A guard around Node's reader of a child's IPC channel, which treats the child as untrusted.
 *
 * Node parses the bytes a child writes to its IPC channel inside the channel's native read callback: bytes that do
 * not deserialize (12 bytes of garbage are enough) make that parser throw, and a throw there is an uncaught
 * exception that ends the parent. A declared message length is also buffered without bound before anything is
 * parsed. Node offers no hook for either, so the guard wraps the channel handle's `onread` (the callback the
 * native stream calls, reached through Node's `kChannelHandle` property of the `ChildProcess`):
 *
 * - a throw from the parser is caught and reported as a violation, instead of reaching the event loop;
 * - once the bytes Node buffers for unparsed messages exceed `maxBufferedBytes`, that is a violation too;
 * - a handle (socket, server) passed along with a message is closed at once and is a violation: SIPs never pass
 *   handles, and each one would hold a descriptor of the parent;
 * - after a violation, the data the child still writes is dropped unparsed; the end of the channel still reaches
 *   Node, so `disconnect` is emitted as usual.
 *
 * It also removes Node's `internalMessage` listeners of the child (handle passing and its acknowledgements):
 * nothing here passes handles, and an unexpected `NODE_HANDLE_ACK` from the child fails an assertion inside
 * Node's listener, an uncaught exception in the parent. Internal messages are dropped unread instead.
 *
 * The caller ends the child on a violation. Returns false when this Node has no such handle (its internals
 * changed), so the caller can say so; the guard is then absent, not half-applied.
 */
export function guardIpcChannel(
  child: ChildProcess,
  maxBufferedBytes: number,
  onViolation: (message: string, cause?: unknown) => void,
): boolean {
  const handleSymbol = Object.getOwnPropertySymbols(child).find(
    (symbol) => symbol.description === 'kChannelHandle',
  );
  const handle = (handleSymbol === undefined ? undefined : (child as never)[handleSymbol]) as
    | { onread?: unknown }
    | undefined;
  const read = handle?.onread;
  if (handle === undefined || typeof read !== 'function') return false;
  child.removeAllListeners('internalMessage');
  let violated = false;
  const violation = (message: string, cause?: unknown) => {
    violated = true;
    onViolation(message, cause);
  };
  const channel = handle as { onread?: unknown; pendingHandle?: { close?: () => void } | null };
  channel.onread = function guardedRead(this: unknown, data: unknown, ...rest: unknown[]): unknown {
    const passed = channel.pendingHandle;
    if (passed !== undefined && passed !== null) {
      channel.pendingHandle = null;
      try {
        passed.close?.();
      } catch {
        // Closing is all we want of it.
      }
      if (!violated) violation('it passed a handle (a socket or server) over its IPC channel');
    }
    // `data` is undefined at the end of the channel (or on a read error): Node closes the channel then.
    if (violated && data !== undefined) return undefined;
    try {
      const result = read.call(this, data, ...rest);
      const buffered = bufferedBytes(channel);
      if (buffered > maxBufferedBytes) {
        violation(
          `expected IPC messages of at most ${maxBufferedBytes} bytes, but it sent one that had ${buffered} bytes ` +
            'buffered and was not complete yet',
        );
      }
      return result;
    } catch (error) {
      violation(`its IPC channel carried bytes that are not a message (${describeError(error)})`, error);
      return undefined;
    }
  };
  return true;
}

/** The bytes Node holds for messages not yet parsed (its `kMessageBufferSize`), or 0 when it keeps none. */
function bufferedBytes(handle: object): number {
  for (const symbol of Object.getOwnPropertySymbols(handle)) {
    if (symbol.description !== 'kMessageBufferSize') continue;
    const value = (handle as Record<symbol, unknown>)[symbol];
    return typeof value === 'number' ? value : 0;
  }
  return 0;
}
