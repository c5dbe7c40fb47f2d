/**
 * Splits a byte stream into numbered lines, holding at most one line (up to `maxLineBytes`) at a
 * time, so a trace of any size streams through in constant memory. Not `node:readline`: it keeps a
 * line however long it grows, and a file with no newline would be read into memory whole.
 */

/** One line of the input (1-based `number`), without its `\n` (and `\r`). */
export interface InputLine {
  readonly number: number;
  readonly text: string;
}

/** A line longer than the limit, skipped unread; `overlong` is its length in bytes. */
export interface OverlongLine {
  readonly number: number;
  readonly overlong: number;
}

/** Default longest line: 1 MiB (a trace event is a few hundred bytes, payloads included rarely more). */
export const defaultMaxLineBytes = 1024 * 1024;

/**
 * The lines of `input`, in order; empty lines are skipped (their numbers still count). Chunks are
 * `Uint8Array`s (a file or stdin stream) or strings.
 */
export async function* readLines(
  input: AsyncIterable<Uint8Array | string>,
  maxLineBytes = defaultMaxLineBytes,
): AsyncGenerator<InputLine | OverlongLine> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let skipping: number | undefined; // bytes of an overlong line seen so far, while skipping one
  let number = 0;

  function take(last: Uint8Array): InputLine | OverlongLine | undefined {
    number += 1;
    if (skipping !== undefined) {
      const overlong = skipping + last.byteLength;
      skipping = undefined;
      return { number, overlong };
    }
    const bytes = pending.length === 0 ? last : concat([...pending, last], pendingBytes + last.byteLength);
    pending = [];
    pendingBytes = 0;
    let text = decoder.decode(bytes);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return text.trim() === '' ? undefined : { number, text };
  }

  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    let start = 0;
    while (start < bytes.byteLength) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline === -1 ? bytes.byteLength : newline;
      const piece = bytes.subarray(start, end);
      if (newline === -1) {
        // The line goes on in the next chunk: keep it, unless it is already too long.
        if (skipping !== undefined || pendingBytes + piece.byteLength > maxLineBytes) {
          skipping = (skipping ?? 0) + pendingBytes + piece.byteLength;
          pending = [];
          pendingBytes = 0;
        } else {
          pending.push(piece.slice()); // a copy: the stream may reuse its chunk
          pendingBytes += piece.byteLength;
        }
        break;
      }
      if (skipping === undefined && pendingBytes + piece.byteLength > maxLineBytes) {
        skipping = pendingBytes;
        pending = [];
        pendingBytes = 0;
      }
      const line = take(piece);
      if (line !== undefined) yield line;
      start = newline + 1;
    }
  }
  if (pendingBytes > 0 || skipping !== undefined) {
    const line = take(new Uint8Array(0));
    if (line !== undefined) yield line;
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}
