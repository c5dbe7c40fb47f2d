import type { FlowQueue } from '@msc/eventual/handler';

/**
 * The state of one wire stream in a session's `StreamBridge` (stream-bridge.ts), as plain records:
 * a source (this side produces) or a sink (this side consumes), with the credit each side counts
 * (docs/semantics.md#streaming); and the port through which the bridge sends.
 */

/** What a bridge needs from its session (the outbox). Nothing is sent once the session ended. */
export interface StreamPort {
  /**
   * Queues a message (same ordered connection as calls). Items may carry capabilities and other
   * streams.
   *
   * @returns the bytes queued (the message's encoded size)
   * @throws what encoding throws (an item that cannot cross the wire); nothing is sent then
   */
  send(message: unknown[]): number;
  /** @internal Queues a message carrying an error at `errorIndex`, replacing an error that cannot cross the wire. */
  sendWithError_(message: unknown[], errorIndex: number): void;
  /** `undefined`, or resolves when the connection's send buffer has room again (backpressure). */
  whenWritable(): Promise<void> | undefined;
}

/** This side produces: its queue's items go out as `StreamItems` within the credit the sink granted. */
export interface SourceStream {
  readonly role: 'source';
  readonly id: number;
  readonly queue: FlowQueue<unknown>;
  readonly isBytes: boolean;
  credit: number;
  batchSize: number;
  /**
   * A sequence's encoded bytes per item in its last batch (0 before the first): sizes the next
   * batch by bytes (see stream-source-pump.ts). Unused for bytes.
   */
  itemBytes: number;
  /** A read is posted on the queue (waiting for the producer). */
  reading: boolean;
  pumpScheduled: boolean;
  started: boolean;
  /** Nothing more to send: the end went out (or the stream is gone). */
  ended: boolean;
  /** The window the sink declared last (0 before its first grant): see `FlowQueue.downstream`. */
  declaredWindow: number;
  /** A close went out; waiting for the sink's `StreamDelivered` (or `StreamCancel`). */
  closing: boolean;
  /** Units sent so far. */
  sent: number;
  /** Units the sink's credits said its consumer read so far: never more than {@link sent}. */
  read: number;
}

/** This side consumes: `StreamItems` fill its queue; what the consumer read is granted back as credit. */
export interface SinkStream {
  readonly role: 'sink';
  readonly id: number;
  readonly queue: FlowQueue<unknown>;
  readonly isBytes: boolean;
  /** Units read by the consumer and not yet granted back. */
  readCredit: number;
  /** Units granted to the source and not yet received: what it may still send. */
  outstanding: number;
  /** The capacity the credit granted so far was based on. */
  windowCapacity: number;
  /** Whether the first grant (the whole window) went out. */
  granted: boolean;
  /**
   * The first grant waits for the window of the consumer the stream was passed on to (the
   * consumer end was sent on before this side granted anything).
   */
  awaitingWindow: boolean;
  /** The source's `StreamEnd` arrived: no more items; waiting for the consumer to read the rest. */
  closing: boolean;
}

/** One wire stream of a session, by the side this session is on. */
export type Stream = SourceStream | SinkStream;

/** A source with no credit yet: it sends nothing before the sink's first grant. */
export function newSource(id: number, queue: FlowQueue<unknown>, isBytes: boolean): SourceStream {
  return {
    role: 'source',
    id,
    queue,
    isBytes,
    credit: 0,
    batchSize: queue.batchSize,
    itemBytes: 0,
    reading: false,
    pumpScheduled: false,
    started: false,
    ended: false,
    declaredWindow: 0,
    closing: false,
    sent: 0,
    read: 0,
  };
}

/** A sink that has granted nothing yet (the first grant waits one turn: see stream-bridge.ts). */
export function newSink(id: number, queue: FlowQueue<unknown>, isBytes: boolean): SinkStream {
  return {
    role: 'sink',
    id,
    queue,
    isBytes,
    readCredit: 0,
    outstanding: 0,
    windowCapacity: queue.capacity,
    granted: false,
    awaitingWindow: false,
    closing: false,
  };
}
