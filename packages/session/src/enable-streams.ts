import { encodeParts } from '@msc/serialization';
import { installGatheredEncoding } from './gathered-encoding.ts';
import { StreamBridge } from './stream-bridge.ts';
import { installStreamPart } from './stream-part.ts';

/**
 * Enables streams (a `Sequence`, `Bytes` or one of their writers in a call's arguments or results)
 * for every session that starts from now on. `@msc/session`'s Node (default) entry calls it when it
 * loads; its `browser` entry leaves streams out to keep pages small, so a page that sends or
 * receives a stream calls it once before its first session. Calling it again does nothing more.
 *
 * Without it, sending a stream fails that call, and a stream arriving from the peer ends the
 * session, each with an error naming this function.
 *
 * @example
 * ```ts
 * import { enableStreams } from '@msc/session';
 *
 * enableStreams(); // before the page's first Scope connects
 * ```
 */
export function enableStreams(): void {
  installStreamPart((port, role, limits, version) => new StreamBridge(port, role, limits, version));
  // A byte stream's bulk batches go from the producer's own chunks where the connection takes parts.
  installGatheredEncoding(encodeParts);
}
