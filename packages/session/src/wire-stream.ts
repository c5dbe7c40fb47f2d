import type { FlowQueue } from '@msc/eventual/handler';

/**
 * The state of one wire stream in a session's {@link StreamBridge} (stream-bridge.ts), as plain
 * records: a source (this side produces) or a sink (this side consumes), with the credit each side
 * counts (docs/semantics.md#streaming).
 */

/** This side produces: its queue's items go out as `StreamItems` within the credit the sink granted. */
export interface SourceStream {
  readonly role: 'source';
  readonly id: number;
  readonly queue: FlowQueue<unknown>;
  readonly isBytes: boolean;
  credit: number;
  batchSize: number;
  /** A read is posted on the queue (waiting for the producer). */
  reading: boolean;
  pumpScheduled: boolean;
  started: boolean;
  ended: boolean;
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
  ended: boolean;
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
    reading: false,
    pumpScheduled: false,
    started: false,
    ended: false,
  };
}
