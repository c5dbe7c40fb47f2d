import { messageTypeStreamItems } from './wire/protocol.ts';
import type { SourceStream, StreamPort } from './wire-stream.ts';

/**
 * The source side of a session's streams (see stream-bridge.ts): takes what a local producer has
 * buffered, as far as the sink's credit and batch size allow, and sends it as `StreamItems`. It
 * runs when credit arrives or the producer writes, waits for the connection when its send buffer
 * is full (asked before every batch, so one run never sends more than a batch past the high-water
 * mark whatever the credit: a parked resumable session holds what is sent), and hands each ending it
 * finds back to the bridge, which owns the stream table.
 */

/** Runs the sources of one bridge. */
export class SourcePump {
  readonly #port: StreamPort;
  readonly #send: (message: unknown[]) => void;
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
 * @param send - the session's outbox; throws for an item that cannot be encoded (nothing sent)
 * @param whenWritable - asked after every batch (see {@link StreamPort.whenWritable}): a promise stops the sending
 */
export function sendWithinCredit(
  source: SourceStream,
  send: (message: unknown[]) => void,
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
        result = source.queue.tryRead(limit);
        if (result !== undefined && !result.done) {
          const chunk = result.value as Uint8Array;
          source.credit -= chunk.byteLength;
          source.sent += chunk.byteLength;
          send([messageTypeStreamItems, source.id, chunk]);
          continue;
        }
      } else {
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
          source.sent += items.length;
          // An item that cannot cross the wire ends the stream with that error (caught below).
          send([messageTypeStreamItems, source.id, items]);
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
