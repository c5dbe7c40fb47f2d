/**
 * Codec floors: what encoding and decoding alone cost, with no transport. A "call" here is the
 * encode and decode of a request (`{ id, method, args }`) and of its response (`{ id, result }`), as
 * an RPC library moving the same data would do; W4 encodes and decodes the payload twice (there and
 * back). JSON has no bytes, so JSON carries them as base64 text, as a JSON protocol must.
 */
import { decode, encode } from 'cbor-x';
import type { Adapter, Connection, Endpoint, Item } from '../adapter.ts';
import { service } from '../service.ts';

/** An encoder and decoder pair for one codec, and how it carries bytes. */
interface Codec {
  encode(value: unknown): unknown;
  decode(encoded: unknown): any;
  /** Bytes as a value the codec can encode (themselves, or base64 text for JSON). */
  wrapBytes(bytes: Uint8Array): unknown;
  /** The inverse of `wrapBytes`, applied after decoding. */
  unwrapBytes(wrapped: unknown): Uint8Array;
}

const cborCodec: Codec = {
  encode: (value) => encode(value),
  decode: (encoded) => decode(encoded as Uint8Array),
  wrapBytes: (bytes) => bytes,
  unwrapBytes: (wrapped) => wrapped as Uint8Array,
};

const jsonCodec: Codec = {
  encode: (value) => JSON.stringify(value),
  decode: (encoded) => JSON.parse(encoded as string),
  wrapBytes: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  unwrapBytes: (wrapped) => Buffer.from(wrapped as string, 'base64'),
};

/** A request as it would cross the wire. */
interface Request {
  id: number;
  method: string;
  args: unknown[];
}

/** One encode-and-decode of `value` (a full trip through the codec). */
function roundTrip<Value>(codec: Codec, value: Value): Value {
  return codec.decode(codec.encode(value)) as Value;
}

/** Request there, response back: the codec work of one call, with `serve` as the server. */
function call(codec: Codec, request: Request, serve: (args: unknown[]) => unknown): unknown {
  const received = roundTrip(codec, request);
  return roundTrip(codec, { id: received.id, result: serve(received.args) }).result;
}

function codecAdapter(library: string, codec: Codec): Adapter {
  return {
    library,
    transport: 'none',
    kind: 'codec',
    pipelining: false,
    async start(): Promise<Endpoint> {
      return {
        async connect(): Promise<Connection> {
          let id = 0;
          return {
            async add(a, b) {
              id += 1;
              return call(codec, { id, method: 'add', args: [a, b] }, ([first, second]) =>
                service.add(first as number, second as number),
              ) as number;
            },
            async incrementNewCounter() {
              return 1;
            },
            async echoBytes(bytes) {
              id += 1;
              const result = call(
                codec,
                { id, method: 'echoBytes', args: [codec.wrapBytes(bytes)] },
                ([wrapped]) => codec.wrapBytes(codec.unwrapBytes(wrapped)),
              );
              return codec.unwrapBytes(result);
            },
            async echoItems(items) {
              id += 1;
              return call(
                codec,
                { id, method: 'echoItems', args: [items] },
                ([received]) => received,
              ) as Item[];
            },
            async close() {},
          };
        },
        async close() {},
      };
    },
  };
}

/** cbor-x (1.6.9) with its default encoder settings. */
export const cborAdapter: Adapter = codecAdapter('cbor-x', cborCodec);

/** The built-in `JSON.stringify` / `JSON.parse`. */
export const jsonAdapter: Adapter = codecAdapter('JSON', jsonCodec);
