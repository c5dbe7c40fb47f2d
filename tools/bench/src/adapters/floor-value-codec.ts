/**
 * What a floor's messages look like on a link (`FloorCodec`), and the codec of the MessageChannel
 * floors (`valueCodec`): plain values, structured-cloned by `postMessage`. Its own module, free of
 * cbor-x, so that the worker floor's thread (`../threads/floor-echo.thread.ts`) bundles only this.
 */
import type { Item } from '../adapter.ts';
import { byteStreamChunks, sequenceItem } from '../service.ts';

/** What an echo carries, so that the codec can choose its encoding. */
export type EchoPayload =
  | { kind: 'pair'; value: readonly [number, number] }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'items'; value: readonly Item[] };

/** What a message from the server is, as far as the client's bookkeeping goes. */
export type ServerMessage =
  | { type: 'echo' }
  | { type: 'item' }
  | { type: 'chunk'; bytes: number }
  | { type: 'end' };

/** How the floor's messages look on one kind of link. */
export interface FloorCodec<Message> {
  /** The echo request for `payload`. */
  echo(payload: EchoPayload): Message;
  /** The payload of an echo reply, decoded as the kind that was sent. */
  readEcho(kind: EchoPayload['kind'], message: Message): unknown;
  /** A request for `count` sequence items. */
  sequenceRequest(count: number): Message;
  /** A request for a byte stream. */
  byteStreamRequest(totalBytes: number, chunkBytes: number): Message;
  /** Classifies (and for items decodes) a server message. */
  classify(message: Message): ServerMessage;
  /** The server: answers one client message through `send`. */
  serve(message: Message, send: (message: Message) => void): void;
}

/** Messages on the in-process channel: plain values, structured-cloned by `postMessage`. */
type ValueMessage =
  | { op: 'echo'; value: unknown }
  | { op: 'sequence'; count: number }
  | { op: 'byte-stream'; totalBytes: number; chunkBytes: number }
  | { op: 'item'; value: Item }
  | { op: 'chunk'; value: Uint8Array }
  | { op: 'end' };

/** The floor codec for the in-process channel. */
export const valueCodec: FloorCodec<unknown> = {
  echo: (payload) => ({ op: 'echo', value: payload.value }) satisfies ValueMessage,
  readEcho: (_kind, message) => (message as ValueMessage & { op: 'echo' }).value,
  sequenceRequest: (count) => ({ op: 'sequence', count }) satisfies ValueMessage,
  byteStreamRequest: (totalBytes, chunkBytes) =>
    ({ op: 'byte-stream', totalBytes, chunkBytes }) satisfies ValueMessage,
  classify(message) {
    const value = message as ValueMessage;
    if (value.op === 'item') return { type: 'item' };
    if (value.op === 'chunk') return { type: 'chunk', bytes: value.value.byteLength };
    if (value.op === 'end') return { type: 'end' };
    return { type: 'echo' };
  },
  serve(message, send) {
    const value = message as ValueMessage;
    if (value.op === 'echo') send(value);
    else if (value.op === 'sequence') {
      for (let index = 0; index < value.count; index += 1) send({ op: 'item', value: sequenceItem(index) });
      send({ op: 'end' });
    } else if (value.op === 'byte-stream') {
      for (const chunk of byteStreamChunks(value.totalBytes, value.chunkBytes))
        send({ op: 'chunk', value: chunk });
      send({ op: 'end' });
    }
  },
};
