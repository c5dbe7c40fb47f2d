import { messageTypeStreamCredit } from './wire/protocol.ts';
import type { SinkStream, StreamPort } from './wire-stream.ts';

/**
 * How a sink grants credit to its source (see stream-bridge.ts, docs/semantics.md#streaming): the
 * whole window once, then what its consumer reads, in chunks, and the growth of a larger window.
 * Every grant is counted in `sink.outstanding`, which bounds what the sink accepts.
 */

/** Grants the whole window the consumer declared, less what it holds unread or forwarded on. */
export function grantWindow(port: StreamPort, sink: SinkStream): void {
  const queue = sink.queue;
  sink.granted = true;
  sink.awaitingWindow = false;
  sink.windowCapacity = queue.capacity;
  const credit = Math.max(0, queue.capacity - queue.unread - queue.downstream);
  sink.outstanding += credit;
  port.send([messageTypeStreamCredit, sink.id, credit, queue.capacity, queue.batchSize]);
}

/** The consumer read `size` units: granted back once they make a quarter of the window. */
export function grantRead(port: StreamPort, sink: SinkStream, size: number): void {
  sink.readCredit += size;
  // Grant in chunks (a quarter of the window) so credits do not cost a message per item.
  if (sink.readCredit < Math.max(1, Math.ceil(sink.queue.capacity / 4))) return;
  const credit = sink.readCredit;
  sink.readCredit = 0;
  sink.outstanding += credit;
  port.send([messageTypeStreamCredit, sink.id, credit, sink.queue.capacity, sink.queue.batchSize]);
}

/**
 * The consumer changed its settings (or the window of the consumer a relayed stream reached became
 * known): the held first grant goes out, or a larger window is more credit at once (a smaller one
 * takes effect as credit returns).
 */
export function grantSettings(port: StreamPort, sink: SinkStream): void {
  const queue = sink.queue;
  if (!sink.granted) {
    // The first grant was held for the window of the consumer this stream was passed on to;
    // otherwise the first grant (still to come) will carry the new settings.
    if (sink.awaitingWindow && queue.windowKnown) grantWindow(port, sink);
    return;
  }
  const extra = Math.max(0, queue.capacity - sink.windowCapacity);
  sink.windowCapacity = queue.capacity;
  sink.outstanding += extra;
  port.send([messageTypeStreamCredit, sink.id, extra, queue.capacity, queue.batchSize]);
}
