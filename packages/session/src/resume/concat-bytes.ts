/**
 * `parts` joined into one new array (the resume exchange's transcripts, keys, MAC inputs and frames;
 * a traced message sent in pieces). An array, not rest arguments: a stream batch may have more
 * pieces than a call takes arguments.
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.byteLength;
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}
