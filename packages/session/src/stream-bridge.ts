import { AbortedError, Bytes, BytesWriter, bytes, Sequence, SequenceWriter, sequence } from '@msc/eventual';
import {
  enqueueDispatch,
  type FlowQueue,
  forgetConsumerEnd,
  forgetProducerEnd,
  streamQueue,
} from '@msc/eventual/handler';
import { EndedSinks } from './ended-sinks.ts';
import { grantRead, grantSettings, grantWindow } from './sink-credit.ts';
import type { StreamLimits } from './stream-part.ts';
import { SourcePump } from './stream-source-pump.ts';
import type {
  StreamCancelMessage,
  StreamCreditMessage,
  StreamDeliveredMessage,
  StreamEndMessage,
  StreamItemsMessage,
  StreamMessage,
} from './wire/message.ts';
import {
  descriptorKindStream,
  messageTypeStreamCancel,
  messageTypeStreamDelivered,
  messageTypeStreamEnd,
  receiverGetsConsumer,
  receiverGetsProducer,
  type StreamCancelling,
  type StreamDescriptor,
  streamCancellingAbort,
  streamCancellingCancel,
  streamDeliveryVersion,
  streamEndingAbort,
  streamEndingClose,
} from './wire/protocol.ts';
import { routeStreamMessage, type StreamReceivers } from './wire/stream-messages.ts';
import { LimitViolation, ProtocolViolation } from './wire/violations.ts';
import {
  newSink,
  newSource,
  type SinkStream,
  type SourceStream,
  type Stream,
  type StreamPort,
} from './wire-stream.ts';

/**
 * Why one file over 450 lines: it is one table of streams in both roles (a source and a sink share
 * its ids by parity, and its counts against `maxStreams`), which every stream message and every
 * stream in a payload goes through; split, the parts would each reach into the other's records.
 *
 * Streams across a session (docs/semantics.md#streaming, RPC4). A stream endpoint (a `Sequence`,
 * `Bytes` or one of their writers) that travels in a payload becomes a wire stream between the two
 * sessions:
 *
 * - the **source** side reads a local queue and sends `StreamItems` as far as the credit allows;
 * - the **sink** side writes what arrives into a local queue, and grants credit back
 *   (`StreamCredit`) as its consumer reads: the consumer's `capacity` bounds what is in flight.
 *
 * Sending a consumer end makes the sender the source and the receiver the sink (its user gets a
 * fresh consumer end); sending a producer end, the other way round. The sending side picks the id:
 * even on the dialer's side, odd on the listener's, so both share one table.
 *
 * Endings map one to one (`close`/`abort` → `StreamEnd`, `cancel` and a consumer-side abort →
 * `StreamCancel`, a delivered close → `StreamDelivered`), and what a source forwarded and its remote
 * consumer has not read counts against the local producer's window (`FlowQueue.downstream`), also
 * across relays: docs/protocol.md#streams-on-the-wire walks through both.
 *
 * Credit is enforced on receipt: a sink counts the units it granted and has not received, and items
 * beyond them end the session with `protocol`, also after the sink ended (`EndedSinks`), so a peer
 * cannot make this side hold, or read, more than its consumers' windows: an empty byte chunk, which
 * costs no credit, is malformed, and a received chunk small next to its frame is copied out of it
 * (`unpinned`), so what a sink queues holds no frame much larger than the credit. A source clamps a
 * declared window to `maxStreamCapacity` / `maxByteStreamCapacity`, so `flush()` still waits.
 *
 * The messages arrive parsed (wire/message.ts checked their form); what only the bridge knows
 * (whether a stream exists here, and in which role) it checks itself (`ProtocolViolation`).
 */

type Endpoint = Sequence<unknown> | SequenceWriter<unknown> | Bytes | BytesWriter;

/**
 * The stream map of every bridge that has had no stream yet: never written to (see
 * `StreamBridge.#add`), so an idle session holds no map of its own.
 */
const noStreams: Map<number, Stream> = new Map();

/**
 * `bytes` on its own buffer when it is less than half of the buffer it views, else as it is. A
 * received byte string is a view into the frame it arrived in, and a queued chunk keeps that whole
 * frame alive until its consumer reads it: copied out, a chunk never holds more than twice its own
 * size, so a sink's credit bounds the memory it holds. Only byte arrays that are a sequence's items
 * themselves are copied, not ones nested deeper in an item.
 */
function unpinned(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength * 2 < bytes.buffer.byteLength ? new Uint8Array(bytes) : bytes;
}

/** The wire streams of one session. */
export class StreamBridge implements StreamReceivers {
  readonly #port: StreamPort;
  #streams: Map<number, Stream>;
  #nextId: number;
  #aborted: AbortedError | undefined;
  readonly #maxCapacity: number;
  readonly #maxByteCapacity: number;
  readonly #maxStreams: number;
  /**
   * Streams in the table that the peer opened (ids of the peer's parity), checked against
   * `maxStreams` when another arrives; the rest, `size` less these, are the ones this side opened.
   */
  #peerStreams = 0;
  /** The agreed protocol version (see {@link streamDeliveryVersion}). */
  readonly #version: () => number;
  /** Sends what local producers wrote, made with the first stream this side sources. */
  #pump: SourcePump | undefined = undefined;
  /** Sinks that ended here, with the credit their source may still use. */
  readonly #endedSinks = new EndedSinks();

  /**
   * @param version - the protocol version the session agreed (read when a stream ends)
   */
  constructor(port: StreamPort, role: 'dialer' | 'listener', limits: StreamLimits, version: () => number) {
    this.#port = port;
    this.#version = version;
    this.#streams = noStreams;
    this.#nextId = role === 'dialer' ? 0 : 1;
    this.#maxCapacity = limits.maxStreamCapacity;
    this.#maxByteCapacity = limits.maxByteStreamCapacity;
    this.#maxStreams = limits.maxStreams;
    this.#aborted = undefined;
  }

  /** Adds `stream` to the table (made with the first stream), counting it if the peer opened it. */
  #add(stream: Stream): void {
    if (this.#streams === noStreams) this.#streams = new Map();
    this.#streams.set(stream.id, stream);
    if (this.#isPeers(stream.id)) this.#peerStreams++;
  }

  /** Removes stream `id` from the table, if it is there. */
  #remove(id: number): void {
    if (this.#streams.delete(id) && this.#isPeers(id)) this.#peerStreams--;
  }

  /** Whether stream `id` was opened by the peer: each side picks ids of its own parity. */
  #isPeers(id: number): boolean {
    return id % 2 !== this.#nextId % 2;
  }

  /**
   * Refuses a stream the peer opens past `maxStreams`: the descriptors of a frame are decoded before
   * its messages are read, so without this one frame could open any number.
   *
   * @throws LimitViolation (the session ends with `limit`)
   */
  #checkPeerStreams(): void {
    if (this.#peerStreams >= this.#maxStreams) {
      throw new LimitViolation(
        `the peer opened more than ${this.#maxStreams} streams (maxStreams): at most ${this.#maxStreams} may be open at once`,
        'maxStreams',
      );
    }
  }

  /**
   * Refuses a stream this side would open past `maxStreams` (a peer that never ends the streams it
   * is sent must not make this side hold more): the call or return carrying it fails.
   *
   * @throws RangeError
   */
  #checkOwnStreams(): void {
    if (this.#streams.size - this.#peerStreams >= this.#maxStreams) {
      throw new RangeError(
        `this session already has ${this.#maxStreams} streams open to the peer (maxStreams); end one before sending another`,
      );
    }
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
    this.#checkOwnStreams();
    const id = this.#nextId;
    this.#nextId += 2;
    const isBytes = typed instanceof Bytes || typed instanceof BytesWriter;
    const sendingConsumer = typed instanceof Sequence || typed instanceof Bytes;
    if (sendingConsumer) {
      // We read the local queue and ship its items; credit arrives from the receiver. The end
      // travels: dropping it here no longer cancels the stream.
      forgetConsumerEnd(typed);
      this.#addSource(id, queue, isBytes);
    } else {
      // We write what arrives into the local queue, whose consumer is here. The end travels:
      // dropping it here no longer aborts the stream.
      forgetProducerEnd(typed);
      this.#addSink(id, queue, isBytes);
    }
    return [
      descriptorKindStream,
      id,
      isBytes ? 1 : 0,
      sendingConsumer ? receiverGetsConsumer : receiverGetsProducer,
    ];
  }

  /** @internal Undoes an export whose message was never sent. */
  unexport_(descriptor: StreamDescriptor): void {
    const stream = this.#streams.get(descriptor[1]!);
    this.#remove(descriptor[1]!);
    if (stream?.role === 'source') stream.queue.forward(false);
  }

  #addSource(id: number, queue: FlowQueue<unknown>, isBytes: boolean): void {
    queue.forward(true);
    this.#add(newSource(id, queue, isBytes));
  }

  /** Turns a received descriptor into the local endpoint the user gets. */
  import(descriptor: StreamDescriptor): Endpoint {
    const [, id, isBytesFlag, receiverGets] = descriptor;
    if (this.#streams.has(id)) throw new ProtocolViolation(`bad or duplicate stream id ${id}`);
    if (!this.#isPeers(id)) throw new ProtocolViolation(`stream id ${id} belongs to this side`);
    this.#checkPeerStreams();
    const isBytes = isBytesFlag === 1;
    if (receiverGets === receiverGetsConsumer) {
      const [consumer, writer] = isBytes ? bytes() : sequence<unknown>();
      // This side writes the queue for the remote producer; the local producer end is not used.
      forgetProducerEnd(writer);
      this.#addSink(id, writer[streamQueue] as FlowQueue<unknown>, isBytes);
      return consumer;
    }
    const [consumer, writer] = isBytes ? bytes() : sequence<unknown>();
    // This side reads the queue for the remote consumer; the local consumer end is not used.
    forgetConsumerEnd(consumer);
    this.#addSource(id, consumer[streamQueue] as FlowQueue<unknown>, isBytes);
    return writer;
  }

  #addSink(id: number, queue: FlowQueue<unknown>, isBytes: boolean): void {
    const sink = newSink(id, queue, isBytes);
    this.#add(sink);
    queue.observe((event) => {
      // Ended here already (or the session ended): nothing more to tell the source.
      if (this.#streams.get(id) !== sink) return;
      switch (event.type) {
        case 'read':
          if (!sink.closing) grantRead(this.#port, sink, event.size);
          return;
        case 'settings':
          if (!sink.closing) grantSettings(this.#port, sink);
          return;
        case 'cancelled':
        case 'aborted':
          this.#endSink(
            sink,
            event.type === 'aborted' ? streamCancellingAbort : streamCancellingCancel,
            event.error,
          );
          return;
        case 'delivered':
          this.#dropSink(sink);
          this.#port.send([messageTypeStreamDelivered, id]);
          return;
      }
    });
    // The first grant waits until the message that carried the stream was handled and the calls it
    // dispatched ran (a turn, then behind them in the dispatch queue), so a window set on a call
    // result before it arrived, or by the method that received the stream, counts. When the
    // consumer end was passed on meanwhile (a relay), it waits for the window of the consumer it
    // went to, so the producer is one window ahead of that consumer, not of this side.
    const grant = {
      run: () => {
        if (sink.closing || this.#streams.get(id) !== sink) return;
        if (queue.windowKnown) grantWindow(this.#port, sink);
        else sink.awaitingWindow = true;
      },
    };
    queueMicrotask(() => enqueueDispatch(grant));
  }

  /**
   * A sink leaves the table: what its source may still send is remembered (`EndedSinks`), the
   * credit it was granted and has not used, or nothing once its end arrived (`closing`).
   */
  #dropSink(sink: SinkStream): void {
    this.#remove(sink.id);
    this.#endedSinks.add(sink.id, sink.closing ? 0 : sink.outstanding);
  }

  /**
   * The consumer's side ended the stream: cancelled (or dropped), or aborted because the call that
   * carried it never reached its target. A version 1 peer only knows cancel.
   */
  #endSink(sink: SinkStream, how: StreamCancelling, error: unknown): void {
    this.#dropSink(sink);
    const message: unknown[] = [messageTypeStreamCancel, sink.id, error ?? null];
    if (this.#version() >= streamDeliveryVersion) message.push(how);
    this.#port.sendWithError_(message, 2);
  }

  // ----- incoming stream messages

  /** @internal A stream message: its form checked, then its handler below. */
  receive_(message: StreamMessage): void {
    routeStreamMessage(this, message);
  }

  /** @internal `StreamItems`: the items go into the sink's queue. */
  receiveItems_(message: StreamItemsMessage): void {
    const [, id, payload] = message;
    const isBytes = payload instanceof Uint8Array;
    const units = isBytes ? payload.byteLength : (payload as unknown[]).length;
    const sink = this.#stream(id, 'sink');
    if (sink === undefined) {
      // Ended here meanwhile: items in flight are dropped, but never more than were granted.
      this.#endedSinks.receiveItems(id, units, isBytes ? 'bytes' : 'items');
      return;
    }
    if (sink.closing) throw new ProtocolViolation(`stream ${id} received items after its end`);
    if (sink.isBytes !== isBytes) {
      throw new ProtocolViolation(sink.isBytes ? 'malformed byte stream data' : 'malformed stream items');
    }
    if (units > sink.outstanding) {
      throw new ProtocolViolation(
        `stream ${id} received ${units} ${sink.isBytes ? 'bytes' : 'items'} with only ${sink.outstanding} of credit granted`,
      );
    }
    sink.outstanding -= units;
    if (sink.queue.state !== 'open') return;
    if (sink.isBytes) {
      sink.queue.write(unpinned(payload as Uint8Array));
      return;
    }
    for (const item of payload as unknown[]) {
      sink.queue.write(item instanceof Uint8Array ? unpinned(item) : item);
    }
  }

  /**
   * `StreamEnd`: the sink's queue ends the same way. After a close (version 2) the stream stays
   * until the consumer read everything (`StreamDelivered`) or stopped first (`StreamCancel`). @internal
   */
  receiveEnd_(message: StreamEndMessage): void {
    const [, id, how, error] = message;
    const sink = this.#stream(id, 'sink');
    if (sink === undefined) {
      this.#endedSinks.receiveEnd(id); // it sends nothing more
      return;
    }
    if (sink.closing) throw new ProtocolViolation(`stream ${id} ended twice`);
    const reason = error ?? undefined;
    sink.closing = true;
    if (how === streamEndingAbort || this.#version() < streamDeliveryVersion) this.#dropSink(sink);
    if (how === streamEndingAbort) sink.queue.abort(reason);
    // Delivered at once when nothing is left unread: the observer answers `StreamDelivered`.
    else void sink.queue.close(reason);
  }

  /** @internal `StreamCredit`: the source may send `credit` more units. */
  receiveCredit_(message: StreamCreditMessage): void {
    const [, id, credit, capacity, batchSize] = message;
    const source = this.#stream(id, 'source');
    if (source === undefined) return;
    // What the remote consumer read gives window back to the producer: the credit less the growth
    // of the declared window (a first grant is all growth; a larger window is credit unread).
    const read = Math.max(0, credit - Math.max(0, capacity - source.declaredWindow));
    source.read += read;
    if (source.read > source.sent) {
      throw new ProtocolViolation(
        `stream ${id}: credit says ${source.read} ${source.isBytes ? 'bytes' : 'items'} were read, but only ${source.sent} were sent`,
      );
    }
    source.queue.acknowledge(read);
    source.declaredWindow = capacity;
    source.credit += credit;
    source.batchSize = batchSize;
    // The local producer's flush() reflects the remote consumer's window, within this side's limit.
    const window = Math.min(capacity, source.isBytes ? this.#maxByteCapacity : this.#maxCapacity);
    const queue = source.queue;
    // The first credit declares the consumer's window: until then the producer had no room.
    queue.declareWindow(window);
    source.started = true;
    (this.#pump ??= this.#newPump()).schedule(source);
  }

  /** The pump of this bridge's sources: an idle session (most) never makes one. */
  #newPump(): SourcePump {
    const port = this.#port;
    return new SourcePump(port, (source, outcome) => {
      if (outcome.kind === 'failed') return this.#endSource(source, outcome.error);
      port.send([messageTypeStreamEnd, source.id, streamEndingClose, null]);
      this.#closeSent(source);
    });
  }

  /**
   * `StreamCancel`: the source's queue is cancelled, or aborted when the consumer's side aborted
   * (the producer sees the same error it would see in process). @internal
   */
  receiveCancel_(message: StreamCancelMessage): void {
    const [, id, error, how] = message;
    const source = this.#stream(id, 'source');
    if (source === undefined) return;
    this.#remove(source.id);
    source.ended = true;
    if (how !== streamCancellingAbort) {
      source.queue.cancel(error ?? undefined);
    } else {
      source.queue.abort(
        error instanceof AbortedError
          ? error
          : new AbortedError("the consumer's side aborted the stream", { cause: error ?? undefined }),
      );
    }
  }

  /** @internal `StreamDelivered`: the remote consumer read everything; the producer's `close()` resolves. */
  receiveDelivered_(message: StreamDeliveredMessage): void {
    const source = this.#stream(message[1], 'source');
    // Nothing ends a closing source but this answer, a cancel (after which the sink sends nothing)
    // or the session's end: a delivery for a stream not here (never sent, ended, cancelled) is forged.
    if (source === undefined) {
      throw new ProtocolViolation(`stream ${message[1]} was delivered, but this side has no such stream`);
    }
    if (!source.closing) throw new ProtocolViolation(`stream ${source.id} was delivered before its end`);
    this.#remove(source.id);
    source.queue.confirmDelivery();
  }

  /** The stream `id` if this side has it, in `role` (a forged role is a protocol violation). */
  #stream<R extends Stream['role']>(id: number, role: R): Extract<Stream, { role: R }> | undefined {
    const stream = this.#streams.get(id);
    if (stream !== undefined && stream.role !== role)
      throw new ProtocolViolation(`stream ${id} is not a ${role} here`);
    return stream as Extract<Stream, { role: R }> | undefined;
  }

  // ----- how a source ends

  /**
   * A close went out. Version 2: the stream stays until the sink says its consumer read everything
   * (`StreamDelivered`, which resolves the producer's close) or stopped first (`StreamCancel`).
   * Version 1 has no such answer: the close counts as delivered once sent.
   */
  #closeSent(source: SourceStream): void {
    source.ended = true;
    if (this.#version() >= streamDeliveryVersion) {
      source.closing = true;
      return;
    }
    this.#remove(source.id);
    source.queue.confirmDelivery();
  }

  /** The producer closed with an error or aborted, or an item could not be sent. */
  #endSource(source: SourceStream, error: unknown): void {
    const queue = source.queue;
    const aborted = queue.state === 'aborted';
    this.#port.sendWithError_(
      [
        messageTypeStreamEnd,
        source.id,
        aborted ? streamEndingAbort : streamEndingClose,
        (aborted ? queue.reason : error) ?? null,
      ],
      3,
    );
    if (queue.state === 'closed') {
      this.#closeSent(source);
      return;
    }
    this.#remove(source.id);
    source.ended = true;
    // An item that could not be sent ended the stream: the producer learns at its next write or flush.
    queue.abort(error);
  }

  /**
   * The session ended: every stream spanning it ends with `AbortedError`, and a close not yet
   * delivered rejects. @internal
   */
  abortAll_(error: AbortedError): void {
    this.#aborted = error;
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    this.#peerStreams = 0;
    this.#endedSinks.clear();
    for (const stream of streams) {
      // A sink that received its close keeps what arrived: its consumer reads it, then the end.
      if (stream.role === 'sink' && stream.closing) continue;
      if (stream.role === 'source') stream.ended = true;
      stream.queue.abort(error);
    }
  }
}
