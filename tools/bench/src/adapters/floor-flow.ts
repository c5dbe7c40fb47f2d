/**
 * Flow control for the floors' streams (S1/S2), so that the floor is what a stream costs at the least,
 * not a firehose: the server writes at most one window ahead of what the client has read, and the client
 * returns credit in batches, with the same window and batch as the @msc rows read with
 * (`msc-connection.ts`: `capacity` and `batchSize`). Free of cbor-x, like `floor-value-codec.ts`, so the
 * worker floor's thread can bundle it.
 */

import type { Item } from '../adapter.ts';
import { byteStreamChunks, sequenceItem } from '../service.ts';

/** Window and credit batch of each stream kind, in items (S1) and bytes (S2). */
export const floorWindows = {
  items: { window: 1024, batch: 256 },
  bytes: { window: 1024 * 1024, batch: 256 * 1024 },
} as const;

/** What a client message asks of the floor server. */
export type FloorRequest =
  | { readonly kind: 'echo' }
  | { readonly kind: 'sequence'; readonly count: number }
  | { readonly kind: 'byte-stream'; readonly totalBytes: number; readonly chunkBytes: number }
  | { readonly kind: 'credit'; readonly units: number };

/** How one kind of link spells the server side's messages. */
export interface FloorServerMessages<Message> {
  /** What a client message asks for. */
  parse(message: Message): FloorRequest;
  /** A sequence item. */
  item(value: Item): Message;
  /** A byte-stream chunk. */
  chunk(bytes: Uint8Array): Message;
  /** The end of a stream. */
  end(): Message;
}

/** The stream a floor server is writing: its next message and what it counts against the window. */
interface OpenStream<Message> {
  readonly window: number;
  next(): readonly [Message, number] | undefined;
}

/**
 * One connection's floor server: echoes echo requests as they are, and writes a requested stream while
 * less than a window is unacknowledged, resuming on each credit. Returns the handler of client messages.
 * Credit that arrives after a stream ended (the client's last batches) is dropped; a new stream starts
 * with nothing in flight (the client asks for it only after the previous one ended).
 */
export function floorServer<Message>(
  messages: FloorServerMessages<Message>,
  send: (message: Message) => void,
): (message: Message) => void {
  let stream: OpenStream<Message> | undefined;
  let inFlight = 0;
  const pump = (): void => {
    while (stream !== undefined && inFlight < stream.window) {
      const next = stream.next();
      if (next === undefined) {
        stream = undefined;
        send(messages.end());
        return;
      }
      inFlight += next[1];
      send(next[0]);
    }
  };
  return (message) => {
    const request = messages.parse(message);
    switch (request.kind) {
      case 'echo':
        send(message);
        return;
      case 'credit':
        if (stream === undefined) return;
        inFlight -= request.units;
        pump();
        return;
      case 'sequence': {
        let index = 0;
        stream = {
          window: floorWindows.items.window,
          next: () => (index < request.count ? [messages.item(sequenceItem(index++)), 1] : undefined),
        };
        inFlight = 0;
        pump();
        return;
      }
      case 'byte-stream': {
        const chunks = byteStreamChunks(request.totalBytes, request.chunkBytes);
        stream = {
          window: floorWindows.bytes.window,
          next: () => {
            const chunk = chunks.next();
            return chunk.done ? undefined : [messages.chunk(chunk.value), chunk.value.byteLength];
          },
        };
        inFlight = 0;
        pump();
        return;
      }
    }
  };
}
