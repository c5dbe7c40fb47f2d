import { type Proxy, proxy } from '@msc/eventual';
import { Codec } from '@msc/serialization';
import { AnswerTable } from '../src/answer-table.ts';
import { type Pair, type PairOptions, sessionPair } from './harness.ts';

/** The calculator of the guide's examples (docs/concepts.md). */
export interface ICalc {
  get(): Promise<number>;
  add(n: number): Promise<number>;
  addFrom(other: Proxy<ICalc>): Promise<number>;
  clone(): Proxy<ICalc>;
  cloneLater(delayMs: number): Promise<Proxy<ICalc>>;
  echo(calc: Proxy<ICalc>): Proxy<ICalc>;
  isOriginal(calc: Proxy<ICalc>): Promise<boolean>;
  fail(message: string): Promise<Proxy<ICalc>>;
}

export class Calc implements ICalc {
  total: number;
  readonly log: number[];
  disposed = 0;
  self: Proxy<ICalc> | undefined;
  constructor(total = 0, log: number[] = []) {
    this.total = total;
    this.log = log;
  }
  async get() {
    return this.total;
  }
  async add(n: number) {
    this.log.push(n);
    return (this.total += n);
  }
  async addFrom(other: Proxy<ICalc>) {
    return (this.total += await other.get());
  }
  clone() {
    return proxy<ICalc>(new Calc(this.total, this.log));
  }
  async cloneLater(delayMs: number) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return proxy<ICalc>(new Calc(this.total, this.log));
  }
  echo(calc: Proxy<ICalc>) {
    return calc;
  }
  async isOriginal(calc: Proxy<ICalc>) {
    // The capability came home: calling it reaches this very object, with no session in between.
    const marker = Math.random();
    const before = this.total;
    this.total = marker;
    const seen = await calc.get();
    this.total = before;
    return seen === marker;
  }
  async fail(message: string): Promise<Proxy<ICalc>> {
    throw new RangeError(message);
  }
  [Symbol.dispose]() {
    this.disposed++;
  }
}

/**
 * A session facing a hand-driven raw wire, for tests of what a hostile peer may send. The listener
 * session serves `root`; the dialer is an honest session too (it does the handshake and the calls a
 * test sets the scene with), and its connection of the memory pair doubles as the raw wire: `send`
 * and `sendAll` write hand-made messages on it behind the dialer session's back, so the listener
 * takes them for the dialer's. The pair is not leak-checked after the test (`unchecked`): hostile
 * input ends the listener's session on purpose. `options` are the harness's (they may override
 * `unchecked`, the roots, either side's session options).
 */
export function rawPeer<I extends object>(root: I, options: PairOptions = {}): RawPeer<I> {
  const pair = sessionPair({ listenerRoot: proxy<I>(root) as Proxy<unknown>, unchecked: true, ...options });
  const wire = pair.connections[0];
  return {
    ...pair,
    remote: pair.dialer.remoteRoot<I>(),
    send: (message) => wire.send(framed(new Codec().encode(message))),
    sendAll: (messages) => {
      const codec = new Codec();
      wire.send(concatenated(messages.map((message) => framed(codec.encode(message)))));
    },
  };
}

/** What {@link rawPeer} gives a test: the pair, the dialer's view of the root, and the raw wire. */
export interface RawPeer<I> extends Pair {
  /** The listener's root as the dialer session sees it (the caller disposes it). */
  readonly remote: Proxy<I>;
  /** Writes one hand-made message (`[type, ...fields]`, encoded and framed) on the raw wire. */
  send(message: unknown[]): void;
  /** Writes many hand-made messages on the raw wire in one write, as a peer flooding it would. */
  sendAll(messages: readonly unknown[][]): void;
}

/** A frame as a session reads it from its connection: a 4-byte big-endian length, then `bytes`. */
function framed(bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + bytes.byteLength);
  new DataView(frame.buffer).setUint32(0, bytes.byteLength);
  frame.set(bytes, 4);
  return frame;
}

function concatenated(parts: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole;
}

/**
 * An answer table on its own, for a peer speaking `protocolVersion`: what it sends is recorded in
 * `sent`; at most 10 answers, a 60 s answer timeout.
 */
export function recordingAnswerTable(protocolVersion: number): { answers: AnswerTable; sent: unknown[][] } {
  const sent: unknown[][] = [];
  const answers = new AnswerTable(
    {
      send: (message) => sent.push(message),
      sendWithError_: (message) => sent.push(message),
      describe: () => [0, 0],
      returnFailed_: () => {},
      isTerminated: false,
      protocolVersion,
    },
    10,
    60_000,
  );
  return { answers, sent };
}
