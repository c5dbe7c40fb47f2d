import { ByteParts } from './byte-parts.ts';
import { gatherBulk } from './cbor-encoder.ts';
import { type Codec, checkFrameSize, encodeFinishedBy } from './codec.ts';

/**
 * Encodes `value` into one frame as `codec.encode(value, context)` does, but gathered, for a
 * transport that writes a frame from pieces (`Connection.sendParts` of `@msc/transport`): the bytes
 * of a bulk {@link ByteParts} (32 KiB or more) are not copied. A frame with bulk bytes comes back as
 * a `ByteParts` of its pieces, in order; any other frame as `encode` returns it. A frame with
 * by-reference values is joined whole (its descriptors go before it).
 *
 * Ownership: a `ByteParts` value's pieces were given away by whoever made it (a byte stream's
 * chunks are), so the frame refers to them; its other pieces are views into the writer's shared
 * output buffer (never written over) and owned copies of the value's other bulk byte arrays, which
 * are only lent (copied as they are now, as `encode` copies them). Send the pieces; do not transfer
 * them.
 *
 * A function beside the {@link Codec}, not a method of it, so that a page that never gathers does not
 * carry the gathering.
 *
 * @example
 * ```ts
 * import { ByteParts, Codec, encodeParts } from '@msc/serialization';
 *
 * const codec = new Codec();
 * const chunk = new Uint8Array(64 * 1024).fill(7);
 * const frame = encodeParts(codec, ['items', new ByteParts([chunk])]);
 * console.log(frame instanceof ByteParts && frame.parts.includes(chunk)); // true: the chunk itself
 * ```
 *
 * @throws what `Codec.encode` throws
 */
export function encodeParts<Context>(
  codec: Codec<Context>,
  value: unknown,
  context?: Context,
): Uint8Array | ByteParts {
  const frame = encodeFinishedBy(codec, value, context, gatherBulk);
  if (frame instanceof ByteParts) checkFrameSize(frame.byteLength, codec.limits.maxFrameBytes);
  return frame;
}
