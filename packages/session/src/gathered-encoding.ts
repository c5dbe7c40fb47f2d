import type { ByteParts, Codec } from '@msc/serialization';

/**
 * The seam of gathered encoding: `encodeParts` of `@msc/serialization`, installed with the stream
 * part (enable-streams.ts), whose byte streams are what sends bulk `ByteParts`. A session over a
 * connection that takes parts (`Connection.takesParts`) then encodes its messages gathered, and
 * sends a bulk stream batch from the producer's own chunks (outbox.ts). A page that enables no
 * streams does not carry the gathering.
 */
export type GatheredEncoder = <Context>(
  codec: Codec<Context>,
  value: unknown,
  context?: Context,
) => Uint8Array | ByteParts;

let installed: GatheredEncoder | undefined;

/** Installs `encoder` for every session that starts from now on. */
export function installGatheredEncoding(encoder: GatheredEncoder): void {
  installed = encoder;
}

/** The installed gathered encoder, if any. */
export function gatheredEncoder(): GatheredEncoder | undefined {
  return installed;
}
