import type { ByteParts } from '@msc/serialization';
import { type Connection, ConnectionClosedError } from '@msc/transport';
import { afterMicrotasks, macrotask } from '@msc/transport/kit';
import { gatheredEncoder } from '../gathered-encoding.ts';
import type { SessionTracer } from '../trace.ts';
import type { ValuesChannel } from '../value-mode.ts';
import { messagesPerFrame, packFrame } from './frame-layout.ts';
import type { OutgoingMessage } from './outgoing-message.ts';
import { describeError } from './violations.ts';

/**
 * The outbox: every message this side sends goes through it. Messages are encoded when queued (so
 * encoding errors reach the sender, and capabilities in them are exported at once, in order);
 * what is queued leaves as one frame, split only at the frame limit, once the microtasks queued
 * before the first of it have run (a microtask), or, when the session expects more messages in
 * this turn ({@link OutboxPort.expectsMoreThisTurn_}: calls of the frame it received are still
 * running, a stream is open, or it is not established yet), once the turn's microtasks have all
 * run (on Node a `process.nextTick`): so a callee's returns to a pipelined chain, which settle a
 * few microtasks apart, share a frame, while a lone call or return does not pay for Node's tick
 * queue (a third of a microsecond a message). Housekeeping nobody waits for (`Finish`, `Release`)
 * rides along with the next frame, or goes alone after one event-loop turn.
 *
 * Sent early: over a connection to a peer that runs in parallel (`Connection.sendEarly`: a
 * MessagePort to another thread), the first message of a turn leaves at once (the lazy ones riding
 * along), when its sender says it may (`early`: a call without a context, a return) and the
 * session expects nothing more this turn; the rest of the turn follows in one frame as above. The
 * peer then starts on a lone call or return while this side finishes its turn (making the call's
 * result, going back to the caller's `await`): measured on a worker, about a microsecond of each
 * round trip. A failure of that early send is reported in a later microtask,
 * never from inside the `send` that queued it (its caller is still recording the message).
 *
 * Ordering: messages leave in the order they were queued; lazy messages may trail later eager ones,
 * which the protocol allows (calls on an answer all precede its `Finish`; release counts make
 * timing irrelevant). Ownership: a frame handed to the connection is the codec's output as it is or
 * a new packed frame (`packFrame`), never copied: one spanning its whole buffer is the connection's
 * to move, a view (into the codec's shared buffer, `Codec.encode`, or the frame pool, `packFrame`) is
 * never written over. Failure: a broken connection or a peer that stopped reading (more than
 * `maxBufferedBytes` unsent) is reported through the port; the session ends.
 * Once the session has ended ({@link Outbox.abortAll_}) nothing more is encoded or sent.
 *
 * Values mode (protocol.ts): once {@link Outbox.useValues_} was called, messages are written in the
 * value form when queued instead of CBOR, and each turn's go out as one values frame (split only at
 * the frame limit, by their size estimates); messages queued before go out as bytes, first.
 */

/** What the outbox needs from its session. */
export interface OutboxPort {
  /**
   * Encodes one message (exporting the capabilities and streams in it); `gather`ed, a message with
   * bulk bytes comes back as its pieces (gathered-encoding.ts).
   *
   * @throws what encoding throws; nothing stays exported then
   */
  encode(message: unknown[], gather: boolean): Uint8Array | ByteParts;
  /** @internal Sending failed: `connection-lost` (the connection broke) or `limit` (the peer does not read). */
  sendFailed_(code: 'connection-lost' | 'limit', message: string): void;
  /**
   * @internal Whether more messages are likely to be queued later in this turn (a frame's calls still
   * running, streams, the handshake): then what is queued waits for the end of the turn's microtasks.
   */
  expectsMoreThisTurn_(): boolean;
}

/** Stream data waits while the connection holds more than this many unsent bytes. */
const streamHighWaterBytes = 1024 * 1024;

/**
 * Outboxes with a flush scheduled in a microtask, with a flush scheduled at the end of the current turn's
 * microtasks, and with a lazy flush scheduled after the current turn. One module-level task per kind runs
 * them all in scheduling order, so an outbox holds no closure of its own (an idle session pays nothing for
 * them).
 */
let flushQueue: Outbox[] = [];
let turnEndFlushQueue: Outbox[] = [];
let lazyFlushQueue: Outbox[] = [];

const resolved = Promise.resolve();

function runFlushes(): void {
  const outboxes = flushQueue;
  flushQueue = [];
  runEach(outboxes, flushNowOrAtTurnEnd);
}

function runTurnEndFlushes(): void {
  const outboxes = turnEndFlushQueue;
  turnEndFlushQueue = [];
  runEach(outboxes, flush);
}

function runLazyFlushes(): void {
  const outboxes = lazyFlushQueue;
  lazyFlushQueue = [];
  runEach(outboxes, flushLazily);
}

/** The microtask flush: sends now, or at the turn's end when the session expects more this turn. */
function flushNowOrAtTurnEnd(outbox: Outbox): void {
  if (!outbox.expectsMoreThisTurn_()) outbox.flush();
  else if (turnEndFlushQueue.push(outbox) === 1) afterMicrotasks(runTurnEndFlushes);
}

function flush(outbox: Outbox): void {
  outbox.flush();
}

function flushLazily(outbox: Outbox): void {
  outbox.flushLazily_();
}

/** Runs `run` on each outbox; one that throws does not keep the others from sending (the first error is rethrown). */
function runEach(outboxes: Outbox[], run: (outbox: Outbox) => void): void {
  let failure: { error: unknown } | undefined;
  for (const outbox of outboxes) {
    try {
      run(outbox);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
}

/** The outgoing half of a session's wire. */
export class Outbox {
  readonly #connection: Connection;
  readonly #port: OutboxPort;
  readonly #tracer: SessionTracer | undefined;
  readonly #maxFrameBytes: number;
  readonly #maxBufferedBytes: number;
  #messages: OutgoingMessage[] = [];
  /** Encoded bytes of `#messages` (what the next flush hands the connection), for {@link whenWritable}. */
  #queuedBytes = 0;
  #lazy: OutgoingMessage[] = [];
  #flushScheduled = false;
  /** What {@link whenWritable} hands out while this turn's messages are past the mark: the next flush. */
  #flushed: Promise<void> | undefined = undefined;
  #onFlushed: (() => void) | undefined = undefined;
  #lazyFlushScheduled = false;
  #ended = false;
  /** Values mode once agreed and established: messages are written in the value form. */
  #values: ValuesChannel | undefined = undefined;
  /**
   * Whether messages are encoded gathered: the connection writes a frame's pieces without joining them
   * (`Connection.takesParts`), so a bulk stream batch is sent from the chunks the producer gave away.
   */
  readonly #gather: boolean;
  /** Whether a turn's first message leaves at once (`Connection.sendEarly`). */
  readonly #sendEarly: boolean;

  constructor(
    connection: Connection,
    port: OutboxPort,
    tracer: SessionTracer | undefined,
    maxFrameBytes: number,
    maxBufferedBytes: number,
  ) {
    this.#connection = connection;
    this.#port = port;
    this.#tracer = tracer;
    this.#maxFrameBytes = maxFrameBytes;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#gather = gatheredEncoder() !== undefined && connection.takesParts === true;
    this.#sendEarly = connection.sendEarly === true;
  }

  /**
   * Encodes a message and queues it; all messages of one turn go out as one frame, but for the first
   * when it may go `early` and the connection asks for that (see the class notes). A sender says
   * `early` only for a message that nothing queued later in the turn needs to share a frame with: a
   * call without a context (a `Cancel` for a call with one must be able to reach the peer in the same
   * frame, before the call is dispatched), a return.
   *
   * @returns the bytes queued: the message's encoded size (0 once the outbox ended)
   * @throws what encoding throws (a value that cannot cross the wire, a limit); nothing is queued
   */
  send(message: unknown[], early = false): number {
    if (this.#ended) return 0;
    const entry = this.#encode(message);
    this.#messages.push(entry);
    const size = entry.bytes?.length ?? entry.parts?.byteLength ?? entry.written!.bytes;
    this.#queuedBytes += size;
    if (!this.#flushScheduled) {
      // No flush is scheduled, so this is the turn's first message: sent early (see the class notes).
      // The flush scheduled below still runs, so that the rest of this turn waits for it and leaves together.
      if (early && this.#sendEarly && !this.#port.expectsMoreThisTurn_()) {
        this.#send(true);
      }
      this.#flushScheduled = true;
      // Messages queued by the microtasks already waiting go in this flush too; whether it waits for the
      // turn's end is asked when it runs, after them.
      if (flushQueue.push(this) === 1) void resolved.then(runFlushes);
    }
    return size;
  }

  /**
   * Sends a message carrying an error at `errorIndex`; an error that cannot cross the wire is
   * replaced by a plain `Error` with its name and message.
   * @internal
   */
  sendWithError_(message: unknown[], errorIndex: number): void {
    try {
      this.send(message);
    } catch (failure) {
      const error = message[errorIndex];
      const copy = message.slice();
      copy[errorIndex] = new Error(
        error instanceof Error
          ? `${error.name}: ${error.message}`
          : `a non-serializable error (${describeError(failure)})`,
      );
      this.send(copy);
    }
  }

  /** @internal Queues a message nobody waits for (`Finish`, `Release`): it rides along with the next frame. */
  sendLazily_(message: unknown[]): void {
    if (this.#ended) return;
    this.#lazy.push(this.#encode(message));
    if (!this.#lazyFlushScheduled) {
      this.#lazyFlushScheduled = true;
      if (lazyFlushQueue.push(this) === 1) macrotask(runLazyFlushes);
    }
  }

  /** @internal From now on, messages are written in the value form and sent as values frames (values mode). */
  useValues_(channel: ValuesChannel): void {
    this.#values = channel;
  }

  #encode(message: unknown[]): OutgoingMessage {
    const values = this.#values;
    const encoded = values === undefined ? this.#port.encode(message, this.#gather) : undefined;
    const bytes = encoded instanceof Uint8Array ? encoded : undefined;
    // One object shape for all three forms, so the flush's reads stay monomorphic.
    return {
      bytes,
      parts: encoded === bytes ? undefined : (encoded as ByteParts),
      written: values?.write(message),
      message,
    };
  }

  /** @internal Whether the flush should wait for the end of the turn's microtasks (see {@link OutboxPort.expectsMoreThisTurn_}). */
  expectsMoreThisTurn_(): boolean {
    return this.#port.expectsMoreThisTurn_();
  }

  /** @internal The lazy flush after a turn: sends the lazy messages unless a frame already took them. */
  flushLazily_(): void {
    this.#lazyFlushScheduled = false;
    if (this.#lazy.length > 0 && !this.#ended) this.flush();
  }

  /**
   * `undefined` when the connection can take more now; otherwise resolves once it has drained
   * (stream data waits while more than 1 MiB is unsent: transport backpressure). What this turn
   * queued counts too: past the mark with it, this resolves once the flush has handed it over,
   * when the connection's own count is asked again.
   */
  whenWritable(): Promise<void> | undefined {
    const connection = this.#connection;
    const buffered = connection.bufferedBytes;
    if (buffered > streamHighWaterBytes) return connection.whenDrained();
    if (buffered + this.#queuedBytes <= streamHighWaterBytes) return undefined;
    return (this.#flushed ??= new Promise((resolve) => {
      this.#onFlushed = resolve;
    }));
  }

  /** Sends what the outbox holds as frames, as many messages per frame as the frame limit allows. */
  flush(): void {
    this.#flushScheduled = false;
    this.#send(false);
  }

  /**
   * Hands what the outbox holds to the connection. A failure ends the session through the port: at
   * once, or in a later microtask when `early` (called from inside {@link send}).
   */
  #send(early: boolean): void {
    // Its waiters run after this flush, in a later microtask.
    this.#released();
    let messages = this.#messages;
    const lazy = this.#lazy;
    if (lazy.length > 0) {
      // The lazy messages ride along, behind the eager ones (no new array: a caller's `Finish` every call).
      if (messages.length === 0) {
        messages = lazy;
        this.#lazy = [];
      } else {
        for (const entry of lazy) messages.push(entry);
        lazy.length = 0;
      }
    }
    if (messages.length === 0) return;
    this.#messages = [];
    this.#queuedBytes = 0;
    if (this.#tracer !== undefined) {
      for (const entry of messages) {
        this.#tracer.message('out', entry.message, entry.bytes ?? entry.parts ?? entry.written!.bytes);
      }
    }
    try {
      let first = 0;
      while (first < messages.length) {
        const entry = messages[first]!;
        if (entry.parts !== undefined) {
          // A gathered message: a frame of its own, written from its pieces (the connection takes parts).
          this.#connection.sendParts!(entry.parts.parts);
          first++;
        } else if (entry.bytes === undefined) {
          first = this.#values!.send(messages, first);
        } else {
          const count = messagesPerFrame(messages, first, this.#maxFrameBytes);
          this.#connection.send(packFrame(messages, first, count));
          first += count;
        }
      }
      if (this.#connection.bufferedBytes > this.#maxBufferedBytes) {
        this.#failed(
          'limit',
          `the peer is not reading: more than ${this.#maxBufferedBytes} bytes wait to be sent`,
          early,
        );
      }
    } catch (error) {
      // The connection is closing: its receiver still gets the frames already on their way (the
      // peer's Abort with its reason among them) and then `closed()`, which ends the session.
      if (error instanceof ConnectionClosedError) return;
      this.#failed('connection-lost', describeError(error), early);
    }
  }

  /** Reports a failed send to the port: at once, or `later` (from a microtask). */
  #failed(code: 'connection-lost' | 'limit', message: string, later: boolean): void {
    if (later) void resolved.then(() => this.#port.sendFailed_(code, message));
    else this.#port.sendFailed_(code, message);
  }

  /**
   * The session ended: `last` (its `Abort`, when the peer is to be told) goes out at once behind
   * the eager messages already queued; lazy ones and anything queued later are dropped.
   * @internal
   */
  abortAll_(last: unknown[] | undefined): void {
    this.#ended = true;
    if (last !== undefined) {
      // As bytes even in values mode: always accepted, and nothing in it needs the value form.
      const bytes = this.#port.encode(last, false) as Uint8Array;
      this.#messages.push({ bytes, parts: undefined, written: undefined, message: last });
      this.#lazy = [];
      this.flush();
    }
    this.#messages = [];
    this.#queuedBytes = 0;
    // Nothing more is sent: a stream pump waiting for the next flush goes on (and finds the end).
    this.#released();
  }

  /** Resolves what {@link whenWritable} handed out: the flush it waited for has run. */
  #released(): void {
    const onFlushed = this.#onFlushed;
    this.#flushed = this.#onFlushed = undefined;
    onFlushed?.();
  }
}
