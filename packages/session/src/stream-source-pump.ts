import { ByteParts, EncodeError } from '@msc/serialization';
import { bulkMessageBytes } from './wire/frame-layout.ts';
import { messageTypeStreamItems } from './wire/protocol.ts';
import type { SourceStream, StreamPort } from './wire-stream.ts';

/**
 * The source side of a session's streams (see stream-bridge.ts): takes what a local producer has
 * buffered, as far as the sink's credit and batch size allow, and sends it as `StreamItems`. It
 * runs when credit arrives or the producer writes, waits for the connection when its send buffer
 * is full (asked before every batch, so one run never sends more than a batch past the high-water
 * mark whatever the credit: a parked resumable session holds what is sent), and hands each ending it
 * finds back to the bridge, which owns the stream table.
 *
 * A sequence's batch is bounded by bytes as well as by the sink's item count: its items can be of
 * any size, and 64 items of 1 MiB in one `StreamItems` would pass the frame limit (failing the
 * stream) and a parked session's held bytes. The first batch takes one item; each later batch takes
 * as many items as fit in {@link sequenceBatchBytes} at the last batch's bytes per item. A batch
 * that still comes out over the frame limit (items of very different sizes) is sent in halves; only
 * a single item over the limit fails the stream.
 */

/** Encoded bytes a sequence's batch aims at (a byte stream's chunks are the sink's batch size). */
export const sequenceBatchBytes = 64 * 1024;

/** Runs the sources of one bridge. */
export class SourcePump {
  readonly #port: StreamPort;
  readonly #send: (message: unknown[]) => number;
  readonly #whenWritable: () => Promise<void> | undefined;
  readonly #ended: (source: SourceStream, outcome: SendOutcome & { kind: 'closed' | 'failed' }) => void;

  /**
   * @param ended - called once per source when the producer's ending was reached (after the items
   *   in front of it were sent); the pump does nothing more for that source
   */
  constructor(
    port: StreamPort,
    ended: (source: SourceStream, outcome: SendOutcome & { kind: 'closed' | 'failed' }) => void,
  ) {
    this.#port = port;
    this.#send = (message) => port.send(message);
    this.#whenWritable = () => port.whenWritable();
    this.#ended = ended;
  }

  /** Runs `source` on the next turn (credit arrived, or the producer wrote). */
  schedule(source: SourceStream): void {
    if (source.pumpScheduled || source.ended) return;
    source.pumpScheduled = true;
    // One turn of delay lets writes made close together travel together (nagling), never more.
    queueMicrotask(() => {
      source.pumpScheduled = false;
      this.#run(source);
    });
  }

  #run(source: SourceStream): void {
    // Ended covers the session's end too: it marks every source ended.
    if (source.ended || !source.started) return;
    const pressure = this.#port.whenWritable();
    if (pressure !== undefined) {
      void pressure.then(() => this.schedule(source));
      return;
    }
    const outcome = sendWithinCredit(source, this.#send, this.#whenWritable);
    if (outcome.kind === 'pressure') {
      void outcome.until.then(() => this.schedule(source));
      return;
    }
    if (outcome.kind !== 'waiting') {
      this.#ended(source, outcome as SendOutcome & { kind: 'closed' | 'failed' });
      return;
    }
    // Out of credit: the next `StreamCredit` resumes the pump.
    if (source.credit <= 0 || source.reading) return;
    // Wait for the producer (or the end) without taking an item: a posted read would consume one.
    source.reading = true;
    const resume = () => {
      source.reading = false;
      this.schedule(source);
    };
    source.queue.whenReadable().then(resume, resume);
  }
}

/** What one {@link sendWithinCredit} found behind the items it sent. */
export type SendOutcome =
  /** Out of credit, or nothing buffered: wait for the next `StreamCredit` or the producer. */
  | { readonly kind: 'waiting' }
  /** The producer closed (without an error) and everything was sent: send the end. */
  | { readonly kind: 'closed' }
  /** The producer closed with an error or aborted, or an item cannot cross the wire. */
  | { readonly kind: 'failed'; readonly error: unknown }
  /** The connection's send buffer passed its high-water mark: run again once `until` resolves. */
  | { readonly kind: 'pressure'; readonly until: Promise<void> };

const waiting: SendOutcome = { kind: 'waiting' };
const closed: SendOutcome = { kind: 'closed' };

/**
 * Sends buffered items within the credit. Items written before an ending travel before it: a
 * `close(error)` is acted on only once the items in front of it were sent.
 *
 * @param send - the session's outbox (returns the bytes it queued); throws for an item that cannot be
 *   encoded (nothing sent)
 * @param whenWritable - asked after every batch (see {@link StreamPort.whenWritable}): a promise stops the sending
 */
export function sendWithinCredit(
  source: SourceStream,
  send: (message: unknown[]) => number,
  whenWritable: () => Promise<void> | undefined,
): SendOutcome {
  let first = true;
  while (source.credit > 0) {
    if (!first) {
      const until = whenWritable();
      if (until !== undefined) return { kind: 'pressure', until };
    }
    first = false;
    const limit = Math.min(source.credit, source.batchSize);
    let result: IteratorResult<unknown> | undefined;
    try {
      if (source.isBytes) {
        // The chunks as they were written, up to the limit, as ByteParts: the codec copies each once,
        // straight into the frame, or, for a connection that takes parts, not at all (the producer gave
        // them away: see BytesWriter.write), so bytes are neither joined first nor sent in many messages.
        result = takeBytes(source, limit);
        if (result !== undefined && !result.done) {
          const bytes = result.value as Uint8Array | ByteParts;
          source.credit -= bytes.byteLength;
          source.sent += bytes.byteLength;
          send([messageTypeStreamItems, source.id, bytes]);
          continue;
        }
      } else {
        const items: unknown[] = [];
        let failure: { error: unknown } | undefined;
        const fitting = source.itemBytes === 0 ? 1 : Math.floor(sequenceBatchBytes / source.itemBytes);
        const take = Math.max(1, Math.min(limit, fitting));
        try {
          while (items.length < take) {
            result = source.queue.tryRead();
            if (result === undefined || result.done) break;
            items.push(result.value);
          }
        } catch (error) {
          failure = { error };
        }
        if (items.length > 0) {
          source.credit -= items.length;
          source.sent += items.length;
          // An item that cannot cross the wire ends the stream with that error (caught below).
          source.itemBytes = sendItems(send, source.id, items) / items.length;
        }
        if (failure !== undefined) return { kind: 'failed', error: failure.error };
        if (items.length > 0 && (result === undefined || !result.done)) continue;
      }
    } catch (error) {
      return { kind: 'failed', error };
    }
    return result?.done ? closed : waiting;
  }
  return waiting;
}

/**
 * Takes up to `limit` buffered bytes of a byte stream without copying them: the chunks as written (the
 * last one split as a view when only part of it fits), as `ByteParts`, or as the `Uint8Array` itself
 * when it is one chunk below bulk size (bulk goes as ByteParts even alone, so that the codec may leave
 * it in place). Returns what the first read returns when nothing is buffered (the end, or `undefined`).
 *
 * @throws what the queue's read throws (the producer aborted)
 */
function takeBytes(source: SourceStream, limit: number): IteratorResult<Uint8Array | ByteParts> | undefined {
  const queue = source.queue;
  const first = queue.tryRead(Math.min(limit, headBytes(source)));
  if (first === undefined || first.done) return first as IteratorResult<Uint8Array> | undefined;
  let chunk = first.value as Uint8Array;
  let taken = chunk.byteLength;
  if (taken >= limit || queue.bufferedItems === 0) {
    return taken < bulkMessageBytes
      ? (first as IteratorResult<Uint8Array>)
      : { done: false, value: new ByteParts([chunk]) };
  }
  const parts = [chunk];
  while (taken < limit && queue.bufferedItems > 0) {
    chunk = queue.tryRead(Math.min(limit - taken, headBytes(source)))!.value as Uint8Array;
    parts.push(chunk);
    taken += chunk.byteLength;
  }
  return { done: false, value: new ByteParts(parts) };
}

/** The length of the first buffered chunk of a byte stream, or infinity when none is buffered. */
function headBytes(source: SourceStream): number {
  return (source.queue.peek() as Uint8Array | undefined)?.byteLength ?? Number.POSITIVE_INFINITY;
}

/**
 * Sends `items` as one `StreamItems`, or in halves while the frame would pass the frame limit (the
 * failed encoding exported nothing: the codec undoes it). Returns the bytes queued.
 *
 * @throws what encoding throws for a single item not crossable; for one over the limit, an
 *   `EncodeError` naming the limit and the fix
 */
function sendItems(send: (message: unknown[]) => number, id: number, items: unknown[]): number {
  try {
    return send([messageTypeStreamItems, id, items]);
  } catch (error) {
    if (!(error instanceof EncodeError && error.code === 'frame-too-large')) throw error;
    if (items.length === 1) {
      throw new EncodeError(
        'frame-too-large',
        `a sequence item is too large for one frame (${error.message}; the limit is the sending session's maxFrameBytes): send large data as a Bytes stream, or split the item`,
        { cause: error },
      );
    }
    const half = items.length >>> 1;
    return sendItems(send, id, items.slice(0, half)) + sendItems(send, id, items.slice(half));
  }
}
