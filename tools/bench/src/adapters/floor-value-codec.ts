/**
 * What a floor's messages look like on a link (`FloorCodec`), and the codec of the MessageChannel
 * floors (`valueCodec`): plain values, structured-cloned by `postMessage`. Its own module, free of
 * cbor-x, so that the worker floor's thread (`../threads/floor-echo.thread.ts`) bundles only this.
 */
import type { Item } from '../adapter.ts';
import { type FloorServerMessages, floorServer } from './floor-flow.ts';

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
  /** The client's credit for `units` items or bytes it has read (`floor-flow.ts`). */
  credit(units: number): Message;
  /** Classifies (and for items decodes) a server message. */
  classify(message: Message): ServerMessage;
  /** One connection's server: returns the handler of its client's messages, which answers through `send`. */
  server(send: (message: Message) => void): (message: Message) => void;
}

/** Messages on the in-process channel: plain values, structured-cloned by `postMessage`. */
type ValueMessage =
  | { op: 'echo'; value: unknown }
  | { op: 'sequence'; count: number }
  | { op: 'byte-stream'; totalBytes: number; chunkBytes: number }
  | { op: 'credit'; units: number }
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
  credit: (units) => ({ op: 'credit', units }) satisfies ValueMessage,
  server: (send) => floorServer(valueServerMessages, send),
};

/** The server side's messages on the in-process channel. */
const valueServerMessages: FloorServerMessages<unknown> = {
  parse(message) {
    const value = message as ValueMessage;
    switch (value.op) {
      case 'sequence':
        return { kind: 'sequence', count: value.count };
      case 'byte-stream':
        return { kind: 'byte-stream', totalBytes: value.totalBytes, chunkBytes: value.chunkBytes };
      case 'credit':
        return { kind: 'credit', units: value.units };
      default:
        return { kind: 'echo' };
    }
  },
  item: (value) => ({ op: 'item', value }) satisfies ValueMessage,
  chunk: (value) => ({ op: 'chunk', value }) satisfies ValueMessage,
  end: () => ({ op: 'end' }) satisfies ValueMessage,
};
