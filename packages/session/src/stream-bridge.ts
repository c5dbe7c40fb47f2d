import {
  type AbortedError,
  Bytes,
  BytesWriter,
  bytes,
  Sequence,
  SequenceWriter,
  sequence,
} from '@msc/eventual';
import { type FlowQueue, streamQueue } from '@msc/eventual/handler';
import type { SessionLimits } from './limits.ts';
import type {
  StreamCancelMessage,
  StreamCreditMessage,
  StreamEndMessage,
  StreamItemsMessage,
} from './wire/message.ts';
import {
  DescriptorKind,
  MessageType,
  ReceiverGets,
  type StreamDescriptor,
  StreamEnding,
} from './wire/protocol.ts';
import { ProtocolViolation } from './wire/violations.ts';
import { newSource, type SinkStream, type SourceStream, type Stream } from './wire-stream.ts';

/**
 * Streams across a session (docs/semantics.md#streaming, RPC4). A stream endpoint (a `Sequence`,
 * `Bytes` or one of their writers) that travels in a payload becomes a wire stream between the two
 * sessions:
 *
 * - the **source** side reads a local queue and sends `StreamItems` as far as the credit allows;
 * - the **sink** side writes what arrives into a local queue, and grants credit back
 *   (`StreamCredit`) as its consumer reads: the consumer's `capacity` bounds what is in flight.
 *
 * Sending a consumer end makes the sender the source (it reads the queue the local producer
 * writes) and the receiver the sink (its user gets a fresh consumer end). Sending a producer end
 * makes the sender the sink (it writes into the queue its local consumer reads) and the receiver the
 * source (its user gets a fresh writer). Stream ids are chosen by the side that sends the endpoint:
 * even on the dialer's side, odd on the listener's, so both share one table.
 *
 * Endings map one to one: producer `close(error?)` → `StreamEnd` (items first), producer `abort` →
 * `StreamEnd` abort (prompt), consumer `cancel(error?)` → `StreamCancel`. When the session ends,
 * every stream spanning it is aborted with `AbortedError` on both sides (sinks: next read; sources:
 * next write or flush).
 *
 * Credit is enforced on receipt: a sink counts the units it granted and has not received, and
 * items beyond them are a protocol violation (the session ends with `protocol`), so a peer cannot
 * make this side hold more than the windows its consumers chose. A source clamps the window a peer
 * declares (`capacity`) to `maxStreamCapacity` / `maxByteStreamCapacity`, so a local producer's
 * `flush()` still waits however large a window the peer claims.
 *
 * The messages arrive parsed (wire/message.ts checked their form); what only the bridge knows
 * (whether a stream exists here, and in which role) it checks itself, throwing
 * `ProtocolViolation`.
 */

/** What a bridge needs from its session (the outbox). Nothing is sent once the session ended. */
export interface StreamPort {
  /**
   * Queues a message (same ordered connection as calls). Items may carry capabilities and other
   * streams.
   *
   * @throws what encoding throws (an item that cannot cross the wire); nothing is sent then
   */
  send(message: unknown[]): void;
  /** Queues a message carrying an error at `errorIndex`, replacing an error that cannot cross the wire. */
  sendWithError(message: unknown[], errorIndex: number): void;
  /** `undefined`, or resolves when the connection's send buffer has room again (backpressure). */
  whenWritable(): Promise<void> | undefined;
}

type Endpoint = Sequence<unknown> | SequenceWriter<unknown> | Bytes | BytesWriter;

/**
 * The stream map of every bridge that has had no stream yet: never written to (see
 * `StreamBridge.#writableStreams`), so an idle session holds no map of its own.
 */
const noStreams: Map<number, Stream> = new Map();

/** The wire streams of one session. */
export class StreamBridge {
  readonly #port: StreamPort;
  #streams: Map<number, Stream>;
  #nextId: number;
  #aborted: AbortedError | undefined;
  readonly #maxCapacity: number;
  readonly #maxByteCapacity: number;

  constructor(
    port: StreamPort,
    role: 'dialer' | 'listener',
    limits: Pick<SessionLimits, 'maxStreamCapacity' | 'maxByteStreamCapacity'>,
  ) {
    this.#port = port;
    this.#streams = noStreams;
    this.#nextId = role === 'dialer' ? 0 : 1;
    this.#maxCapacity = limits.maxStreamCapacity;
    this.#maxByteCapacity = limits.maxByteStreamCapacity;
    this.#aborted = undefined;
  }

  /** The map to add a stream to: made with the first stream. */
  #writableStreams(): Map<number, Stream> {
    if (this.#streams === noStreams) this.#streams = new Map();
    return this.#streams;
  }

  /** Live streams (for stats and leak checks). */
  get size(): number {
    return this.#streams.size;
  }

  /** Whether `value` is a stream endpoint that travels by stream. */
  static isEndpoint(value: object): boolean {
    return (
      value instanceof Sequence ||
      value instanceof SequenceWriter ||
      value instanceof Bytes ||
      value instanceof BytesWriter
    );
  }

  /** Turns an endpoint being sent into its descriptor and sets up this side of the stream. */
  export(endpoint: object): StreamDescriptor {
    if (this.#aborted !== undefined) throw this.#aborted;
    const typed = endpoint as Endpoint;
    const queue = typed[streamQueue] as FlowQueue<unknown>;
    if (queue.state !== 'open' && queue.bufferedItems === 0 && queue.state !== 'closed') {
      throw new TypeError('cannot send a stream that has already ended');
    }
    const id = this.#nextId;
    this.#nextId += 2;
    const isBytes = typed instanceof Bytes || typed instanceof BytesWriter;
    const sendingConsumer = typed instanceof Sequence || typed instanceof Bytes;
    if (sendingConsumer) {
      // We read the local queue and ship its items; credit arrives from the receiver.
      this.#writableStreams().set(id, newSource(id, queue, isBytes));
    } else {
      // We write what arrives into the local queue, whose consumer is here.
      this.#addSink(id, queue, isBytes);
    }
    return [
      DescriptorKind.Stream,
      id,
      isBytes ? 1 : 0,
      sendingConsumer ? ReceiverGets.Consumer : ReceiverGets.Producer,
    ];
  }

  /** Undoes an export whose message was never sent. */
  unexport(descriptor: StreamDescriptor): void {
    this.#streams.delete(descriptor[1]!);
  }

  /** Turns a received descriptor into the local endpoint the user gets. */
  import(descriptor: StreamDescriptor): Endpoint {
    const [, id, isBytesFlag, receiverGets] = descriptor;
    if (this.#streams.has(id)) throw new ProtocolViolation(`bad or duplicate stream id ${id}`);
    if (id % 2 === this.#nextId % 2) throw new ProtocolViolation(`stream id ${id} belongs to this side`);
    const isBytes = isBytesFlag === 1;
    if (receiverGets === ReceiverGets.Consumer) {
      const [consumer, writer] = isBytes ? bytes() : sequence<unknown>();
      this.#addSink(id, writer[streamQueue] as FlowQueue<unknown>, isBytes);
      return consumer;
    }
    const [consumer, writer] = isBytes ? bytes() : sequence<unknown>();
    const queue = consumer[streamQueue] as FlowQueue<unknown>;
    this.#writableStreams().set(id, newSource(id, queue, isBytes));
    return writer;
  }

  #addSink(id: number, queue: FlowQueue<unknown>, isBytes: boolean): void {
    const sink: SinkStream = {
      role: 'sink',
      id,
      queue,
      isBytes,
      readCredit: 0,
      outstanding: 0,
      windowCapacity: queue.capacity,
      granted: false,
      ended: false,
    };
    this.#writableStreams().set(id, sink);
    queue.observe((event) => {
      if (sink.ended && event.type !== 'cancelled') return;
      switch (event.type) {
        case 'read':
          sink.readCredit += event.size;
          // Grant in chunks (a quarter of the window) so credits do not cost a message per item.
          if (sink.readCredit >= Math.max(1, Math.ceil(queue.capacity / 4))) this.#grant(sink);
          return;
        case 'settings': {
          if (!sink.granted) return; // the first grant will carry the new settings
          // A larger window is more credit at once; a smaller one takes effect as credit returns.
          const extra = Math.max(0, queue.capacity - sink.windowCapacity);
          sink.windowCapacity = queue.capacity;
          sink.outstanding += extra;
          this.#port.send([MessageType.StreamCredit, id, extra, queue.capacity, queue.batchSize]);
          return;
        }
        case 'cancelled':
          if (!this.#streams.has(id) || this.#aborted !== undefined) return;
          this.#streams.delete(id);
          sink.ended = true;
          this.#port.sendWithError([MessageType.StreamCancel, id, event.error ?? null], 2);
          return;
        default:
          return;
      }
    });
    // The first grant waits one turn, so settings made on a call result before it arrived count.
    queueMicrotask(() => {
      if (!sink.ended && this.#streams.get(id) === sink) {
        sink.granted = true;
        sink.windowCapacity = queue.capacity;
        const credit = Math.max(0, queue.capacity - queue.unread);
        sink.outstanding += credit;
        this.#port.send([MessageType.StreamCredit, id, credit, queue.capacity, queue.batchSize]);
      }
    });
  }

  #grant(sink: SinkStream): void {
    const credit = sink.readCredit;
    sink.readCredit = 0;
    sink.outstanding += credit;
    this.#port.send([MessageType.StreamCredit, sink.id, credit, sink.queue.capacity, sink.queue.batchSize]);
  }

  // ----- incoming stream messages

  /** `StreamItems`: the items go into the sink's queue. */
  receiveItems(message: StreamItemsMessage): void {
    const [, id, payload] = message;
    const sink = this.#sink(id);
    if (sink === undefined) return; // cancelled meanwhile: items in flight are dropped
    if (sink.isBytes !== payload instanceof Uint8Array) {
      throw new ProtocolViolation(sink.isBytes ? 'malformed byte stream data' : 'malformed stream items');
    }
    const units = sink.isBytes ? (payload as Uint8Array).byteLength : (payload as unknown[]).length;
    if (units > sink.outstanding) {
      throw new ProtocolViolation(
        `stream ${id} received ${units} ${sink.isBytes ? 'bytes' : 'items'} with only ${sink.outstanding} of credit granted`,
      );
    }
    sink.outstanding -= units;
    if (sink.queue.state !== 'open') return;
    if (sink.isBytes) sink.queue.write(payload as Uint8Array);
    else for (const item of payload as unknown[]) sink.queue.write(item);
  }

  /** `StreamEnd`: the sink's queue ends the same way. */
  receiveEnd(message: StreamEndMessage): void {
    const [, id, how, error] = message;
    const sink = this.#sink(id);
    if (sink === undefined) return;
    this.#streams.delete(sink.id);
    sink.ended = true;
    const reason = error ?? undefined;
    if (how === StreamEnding.Abort) sink.queue.abort(reason);
    else void sink.queue.close(reason);
  }

  /** `StreamCredit`: the source may send `credit` more units. */
  receiveCredit(message: StreamCreditMessage): void {
    const [, id, credit, capacity, batchSize] = message;
    const source = this.#source(id);
    if (source === undefined) return;
    source.credit += credit;
    source.batchSize = batchSize;
    // The local producer's flush() reflects the remote consumer's window, within this side's limit.
    const window = Math.min(capacity, source.isBytes ? this.#maxByteCapacity : this.#maxCapacity);
    if (source.queue.capacity !== window) source.queue.setOptions({ capacity: window });
    source.started = true;
    this.#schedulePump(source);
  }

  /** `StreamCancel`: the source's queue is cancelled. */
  receiveCancel(message: StreamCancelMessage): void {
    const [, id, error] = message;
    const source = this.#source(id);
    if (source === undefined) return;
    this.#streams.delete(source.id);
    source.ended = true;
    source.queue.cancel(error ?? undefined);
  }

  #sink(id: number): SinkStream | undefined {
    const stream = this.#streams.get(id);
    if (stream !== undefined && stream.role !== 'sink')
      throw new ProtocolViolation(`stream ${id} is not a sink here`);
    return stream;
  }

  #source(id: number): SourceStream | undefined {
    const stream = this.#streams.get(id);
    if (stream !== undefined && stream.role !== 'source')
      throw new ProtocolViolation(`stream ${id} is not a source here`);
    return stream;
  }

  // ----- the source pump

  #schedulePump(source: SourceStream): void {
    if (source.pumpScheduled || source.ended) return;
    source.pumpScheduled = true;
    // One turn of delay lets writes made close together travel together (nagling), never more.
    queueMicrotask(() => {
      source.pumpScheduled = false;
      this.#pump(source);
    });
  }

  #pump(source: SourceStream): void {
    if (source.ended || !source.started || this.#aborted !== undefined) return;
    const pressure = this.#port.whenWritable();
    if (pressure !== undefined) {
      void pressure.then(() => this.#schedulePump(source));
      return;
    }
    while (source.credit > 0 && !source.ended) {
      const limit = Math.min(source.credit, source.batchSize);
      let result: IteratorResult<unknown> | undefined;
      try {
        if (source.isBytes) {
          result = source.queue.tryRead(limit);
          if (result !== undefined && !result.done) {
            const chunk = result.value as Uint8Array;
            source.credit -= chunk.byteLength;
            this.#port.send([MessageType.StreamItems, source.id, chunk]);
            continue;
          }
        } else {
          // Take what is buffered (up to the credit and batch size) and send it before acting on
          // an ending found behind it: items written before a close(error) are delivered first.
          const items: unknown[] = [];
          let failure: { error: unknown } | undefined;
          try {
            while (items.length < limit) {
              result = source.queue.tryRead();
              if (result === undefined || result.done) break;
              items.push(result.value);
            }
          } catch (error) {
            failure = { error };
          }
          if (items.length > 0) {
            source.credit -= items.length;
            // An item that cannot cross the wire ends the stream with that error (caught below).
            this.#port.send([MessageType.StreamItems, source.id, items]);
          }
          if (failure !== undefined) throw failure.error;
          if (items.length > 0 && (result === undefined || !result.done)) continue;
        }
      } catch (error) {
        this.#endSource(source, error);
        return;
      }
      if (result?.done) {
        this.#finishSource(source);
        return;
      }
      break; // nothing buffered: wait for the producer
    }
    // Out of credit: the next `StreamCredit` resumes the pump.
    if (source.ended || source.credit <= 0) return;
    // Wait for the producer (or the end) without taking an item: a posted read would consume one.
    if (!source.reading) {
      source.reading = true;
      source.queue.whenReadable().then(
        () => {
          source.reading = false;
          this.#schedulePump(source);
        },
        () => {
          source.reading = false;
          this.#schedulePump(source);
        },
      );
    }
  }

  #finishSource(source: SourceStream): void {
    this.#streams.delete(source.id);
    source.ended = true;
    this.#port.send([MessageType.StreamEnd, source.id, StreamEnding.Close, null]);
  }

  #endSource(source: SourceStream, error: unknown): void {
    this.#streams.delete(source.id);
    source.ended = true;
    const aborted = source.queue.state === 'aborted';
    const reason = aborted ? source.queue.reason : error;
    this.#port.sendWithError(
      [MessageType.StreamEnd, source.id, aborted ? StreamEnding.Abort : StreamEnding.Close, reason ?? null],
      3,
    );
  }

  /** The session ended: every stream spanning it ends with `AbortedError`. */
  abortAll(error: AbortedError): void {
    this.#aborted = error;
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    for (const stream of streams) {
      stream.ended = true;
      stream.queue.abort(error);
    }
  }
}
