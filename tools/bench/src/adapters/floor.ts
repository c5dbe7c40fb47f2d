/**
 * The physical floors: echo servers with no RPC library, over the same links the libraries use. A
 * floor call is one message out and the same message back, so W1/W2 measure a bare round trip, W3 is
 * one round trip (what perfect pipelining would cost), W4 is the payload crossing twice, and S1/S2
 * are the server writing as fast as the client's credit allows (`floor-flow.ts`: the window and batch
 * the @msc rows read with).
 *
 * On the in-process channel messages are plain values (structured clone, as `postMessage` does).
 * On TCP and WebSocket they are frames: one tag byte, then raw bytes or cbor-x for structured data;
 * the echo server returns echo frames without decoding them.
 */
import { decode, encode } from 'cbor-x';
import type { Adapter, Connection, Endpoint, Item } from '../adapter.ts';
import { delayedNetwork } from '../links/delayed-network.ts';
import type { Link, Network } from '../links/link.ts';
import { type FloorServerMessages, floorServer, floorWindows } from './floor-flow.ts';
import type { EchoPayload, FloorCodec, ServerMessage } from './floor-value-codec.ts';

export { valueCodec } from './floor-value-codec.ts';

/** Tags of the first byte of a floor frame on TCP and WebSocket. */
const Tag = { Echo: 0, Sequence: 1, Item: 2, ByteStream: 3, Chunk: 4, End: 5, Credit: 6 } as const;

/** One of the frame tags. */
type Tag = (typeof Tag)[keyof typeof Tag];

/** A frame of `tag` followed by `payload` (one copy, as any framing with a header does). */
function frame(tag: Tag, payload: Uint8Array): Uint8Array {
  const result = new Uint8Array(payload.byteLength + 1);
  result[0] = tag;
  result.set(payload, 1);
  return result;
}

/** A frame of `tag` followed by unsigned 32-bit big-endian numbers. */
function numbersFrame(tag: Tag, numbers: readonly number[]): Uint8Array {
  const result = new Uint8Array(1 + numbers.length * 4);
  result[0] = tag;
  const view = new DataView(result.buffer);
  for (const [index, number] of numbers.entries()) view.setUint32(1 + index * 4, number);
  return result;
}

/** The floor codec for byte links (TCP frames, WebSocket binary frames). */
export const frameCodec: FloorCodec<Uint8Array> = {
  echo: (payload) => frame(Tag.Echo, payload.kind === 'bytes' ? payload.value : encode(payload.value)),
  readEcho: (kind, message) => (kind === 'bytes' ? message.subarray(1) : decode(message.subarray(1))),
  sequenceRequest: (count) => numbersFrame(Tag.Sequence, [count]),
  byteStreamRequest: (totalBytes, chunkBytes) => numbersFrame(Tag.ByteStream, [totalBytes, chunkBytes]),
  classify(message) {
    switch (message[0]) {
      case Tag.Item:
        // Decode like a consumer would.
        decode(message.subarray(1));
        return { type: 'item' };
      case Tag.Chunk:
        return { type: 'chunk', bytes: message.byteLength - 1 };
      case Tag.End:
        return { type: 'end' };
      default:
        return { type: 'echo' };
    }
  },
  credit: (units) => numbersFrame(Tag.Credit, [units]),
  server: (send) => floorServer(frameServerMessages, send),
};

/**
 * The last chunk framed, and its frame. A byte stream's chunks are one shared array
 * (`byteStreamChunks`), so the floor frames it once and sends that frame again, as an application
 * that reads its data straight into a frame's buffer would: the floor's send copies no chunk, as
 * @msc's does not (over TCP a session writes a byte stream's chunks as they are: gather writes).
 * The frame is never changed, so the writes that still hold it stay intact.
 */
let framedChunk: { readonly bytes: Uint8Array; readonly frame: Uint8Array } | undefined;

/** The server side's frames on byte links. */
export const frameServerMessages: FloorServerMessages<Uint8Array> = {
  parse(message) {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    switch (message[0]) {
      case Tag.Sequence:
        return { kind: 'sequence', count: view.getUint32(1) };
      case Tag.ByteStream:
        return { kind: 'byte-stream', totalBytes: view.getUint32(1), chunkBytes: view.getUint32(5) };
      case Tag.Credit:
        return { kind: 'credit', units: view.getUint32(1) };
      default:
        return { kind: 'echo' };
    }
  },
  item: (value) => frame(Tag.Item, encode(value)),
  chunk(bytes) {
    if (framedChunk?.bytes !== bytes) framedChunk = { bytes, frame: frame(Tag.Chunk, bytes) };
    return framedChunk.frame;
  },
  end: () => new Uint8Array([Tag.End]),
};

/**
 * A client over a floor link: replies come back in request order, so pending requests are a FIFO of
 * handlers, each consuming server messages until it reports that its request is complete.
 */
class FloorClient<Message> {
  readonly #link: Link<Message>;
  readonly #codec: FloorCodec<Message>;
  readonly #handlers: Array<{
    take: (message: ServerMessage, raw: Message) => boolean;
    fail: (error: Error) => void;
  }> = [];

  constructor(link: Link<Message>, codec: FloorCodec<Message>) {
    this.#link = link;
    this.#codec = codec;
    link.onMessage((raw) => {
      const handler = this.#handlers[0];
      if (handler === undefined) return;
      if (handler.take(codec.classify(raw), raw)) this.#handlers.shift();
    });
    link.onClose(() => {
      for (const handler of this.#handlers.splice(0)) handler.fail(new Error('the floor link closed'));
    });
  }

  /** Sends an echo and resolves with the decoded payload that came back. */
  echo(payload: EchoPayload): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#handlers.push({
        take: (_message, raw) => {
          resolve(this.#codec.readEcho(payload.kind, raw));
          return true;
        },
        fail: reject,
      });
      this.#link.send(this.#codec.echo(payload));
    });
  }

  /**
   * Sends a stream request and resolves with what `measure` added up until the end message, returning
   * credit for every `batch` units read (the server writes at most a window ahead).
   */
  stream(request: Message, measure: (message: ServerMessage) => number, batch: number): Promise<number> {
    return new Promise((resolve, reject) => {
      let total = 0;
      let uncredited = 0;
      this.#handlers.push({
        take: (message) => {
          if (message.type === 'end') {
            resolve(total);
            return true;
          }
          const units = measure(message);
          total += units;
          uncredited += units;
          if (uncredited >= batch) {
            this.#link.send(this.#codec.credit(uncredited));
            uncredited = 0;
          }
          return false;
        },
        fail: reject,
      });
      this.#link.send(request);
    });
  }
}

/**
 * The workload `Connection` of a floor over the client end `link` of a connection to an echo server
 * that answers with `codec.server`. Closing it closes the link.
 */
export function floorConnection<Message>(link: Link<Message>, codec: FloorCodec<Message>): Connection {
  const client = new FloorClient(link, codec);
  return {
    async add(a, b) {
      const [first, second] = (await client.echo({ kind: 'pair', value: [a, b] })) as [number, number];
      return first + second;
    },
    // One round trip: the cost of a two-call chain under perfect pipelining.
    incrementNewCounter: async () => ((await client.echo({ kind: 'pair', value: [0, 1] })) as number[])[1]!,
    echoBytes: async (bytes) => (await client.echo({ kind: 'bytes', value: bytes })) as Uint8Array,
    echoItems: async (items) => (await client.echo({ kind: 'items', value: items })) as Item[],
    readSequence: (count) =>
      client.stream(
        codec.sequenceRequest(count),
        (message) => (message.type === 'item' ? 1 : 0),
        floorWindows.items.batch,
      ),
    readByteStream: (totalBytes, chunkBytes) =>
      client.stream(
        codec.byteStreamRequest(totalBytes, chunkBytes),
        (message) => (message.type === 'chunk' ? message.bytes : 0),
        floorWindows.bytes.batch,
      ),
    async close() {
      link.close();
    },
  };
}

/** A floor over `network` with `codec`; `library` names the row (`floor: TCP` and so on). */
export function floorAdapter<Message>(
  library: string,
  network: Network<Message>,
  codec: FloorCodec<Message>,
): Adapter {
  return {
    library,
    transport: network.transport,
    kind: 'floor',
    pipelining: true,
    async start(options): Promise<Endpoint> {
      const listener = await delayedNetwork(network, options.delayMilliseconds).listen((link) => {
        link.onMessage(codec.server((reply) => link.send(reply)));
      });
      return {
        connect: async () => floorConnection(await listener.connect(), codec),
        close: () => listener.close(),
      };
    },
  };
}
