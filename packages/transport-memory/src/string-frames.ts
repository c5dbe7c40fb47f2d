import { nodeNextTick } from '@msc/transport/kit';

// Small frames as strings on a MessagePort (see message-port-connection.ts): the size limit, and the two
// conversions, written once.

/**
 * Frames of at most this many bytes travel as strings of as many characters (one per byte, each below 256),
 * once the peer said it takes them: a port clones a short string in a fraction of what a transferred
 * `Uint8Array` costs (a 29-byte call's round trip between two threads: 39 µs transferred, 34 µs as strings; the
 * two cost the same near 512 bytes). A peer that never says so (an older one) gets `Uint8Array`s only, and a
 * string longer than this from the peer is a protocol violation, so turning one into bytes stays cheap.
 */
export const stringFrameBytes = 128;

/**
 * The bytes of a string frame from the peer, or what is wrong with it (longer than {@link stringFrameBytes}, or a
 * character that is not a byte).
 */
export function stringFrame(data: string): Uint8Array | string {
  const length = data.length;
  if (length > stringFrameBytes) {
    return `expected a string frame of at most ${stringFrameBytes} characters, but got ${length}`;
  }
  const frame = new Uint8Array(length);
  for (let index = 0; index < length; index++) {
    const code = data.charCodeAt(index);
    if (code > 0xff) return `expected a string frame of characters below 256, but got ${code} at ${index}`;
    frame[index] = code;
  }
  return frame;
}

/** A global `Buffer`, as far as {@link latin1Slice} reads it (each part possibly missing). */
const scope = globalThis as {
  Buffer?: { prototype?: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string } };
};

/**
 * Node's `Buffer#latin1Slice`, which reads any `Uint8Array`'s bytes as a string in one call (a small one on V8's
 * heap is read where it is); `undefined` outside Node (recognised as the kit's `nodeNextTick` does, so a page's
 * `Buffer` polyfill is not trusted with it).
 */
const latin1Slice = nodeNextTick(globalThis) !== undefined ? scope.Buffer?.prototype?.latin1Slice : undefined;

/** A small frame as a string of one character per byte. */
export function frameString(frame: Uint8Array): string {
  return latin1Slice !== undefined
    ? latin1Slice.call(frame, 0, frame.length)
    : String.fromCharCode.apply(null, frame as unknown as number[]);
}
