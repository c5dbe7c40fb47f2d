/**
 * The adapter contract: what one library (or floor, or codec) offers to the workloads over one
 * transport. Adding a library or a transport is one file that exports an `Adapter`, plus one entry
 * in `adapters/registry.ts`.
 */
import type { TransportName } from './links/link.ts';

/**
 * What a row measures: `subject` is MSC itself, `peer` another RPC library, `floor` a raw transport
 * echo with no RPC library (the physical floor), `codec` an encode/decode round trip with no
 * transport.
 */
export type AdapterKind = 'subject' | 'peer' | 'floor' | 'codec';

/** The small record that W4 and S1 move around, in the shape applications send. */
export interface Item {
  /** Position of the item in its batch. */
  id: number;
  /** A short string. */
  name: string;
  /** A non-integer number, so codecs cannot use small-integer encodings for everything. */
  score: number;
}

/** Options an endpoint is started with. */
export interface StartOptions {
  /**
   * One-way delay in milliseconds to add to every message in both directions (0 for none). Adapters
   * over `links/` networks pass it to `delayedNetwork`; an adapter over its own transport must add it
   * to its send path in the same way (a timer of this duration per message, order kept).
   */
  readonly delayMilliseconds: number;
}

/**
 * One client session (with its server side) that the workloads drive. Every method performs real
 * calls through the library and resolves with the result it got back; workloads check the results,
 * so a broken wiring fails loudly instead of measuring nothing.
 */
export interface Connection {
  /** W1/W2: the trivial call `add(a, b)`, resolving with the sum computed on the server. */
  add(a: number, b: number): Promise<number>;
  /**
   * W3: `root.getCounter().inc()`, resolving with the counter's first value (1). A library with
   * promise pipelining must not await the middle result; one without it awaits both calls in turn.
   */
  incrementNewCounter(): Promise<number>;
  /** W4: sends `bytes` to the server and resolves with the copy the server sent back. */
  echoBytes(bytes: Uint8Array): Promise<Uint8Array>;
  /** W4: sends `items` to the server and resolves with the copy the server sent back. */
  echoItems(items: readonly Item[]): Promise<readonly Item[]>;
  /**
   * S1: asks the server for a stream of `count` items and resolves with how many arrived once the
   * stream ended. Absent when the library has no streams.
   */
  readSequence?(count: number): Promise<number>;
  /**
   * S2: asks the server for a byte stream of `totalBytes` written in `chunkBytes` pieces and resolves
   * with how many bytes arrived once it ended. Absent when the library has no byte streams.
   */
  readByteStream?(totalBytes: number, chunkBytes: number): Promise<number>;
  /**
   * L1/L2: times `calls` calls of `add(i, 1)` on a plain object and through the library's local
   * capability (`proxy(object)`), `repetitions` times each, alternating, awaited one by one or all
   * in flight; resolves with each repetition's milliseconds per side. Absent for libraries without local
   * capabilities, and on all but one row of a library (it measures no transport).
   */
  timeLocalCalls?(
    calls: number,
    repetitions: number,
    mode: 'sequential' | 'in-flight',
  ): Promise<LocalCallTimes>;
  /**
   * The sizes of the library's session tables on both sides (outstanding calls, imports, exports,
   * streams, server-side objects kept per session), by name (`client.imports`, `server.counters`).
   * After each workload the harness waits for them to return to their sizes before it, so a protocol
   * change that stops releasing something fails the bench instead of speeding it up. Absent when the
   * library exposes no table sizes.
   */
  tables?(): Readonly<Record<string, number>>;
  /** Ends the session on both sides and releases what it holds. */
  close(): Promise<void>;
}

/** What `Connection.timeLocalCalls` measured: each repetition's milliseconds, per side. */
export interface LocalCallTimes {
  /** The calls on the plain object (`await object.add(i, 1)`). */
  readonly direct: readonly number[];
  /** The same calls through the local capability, each right after its direct twin. */
  readonly local: readonly number[];
}

/** A started server (or in-process host) that makes client sessions. */
export interface Endpoint {
  /** Opens one more session and resolves once calls can be made on it. */
  connect(): Promise<Connection>;
  /** Closes every session it made and stops listening. */
  close(): Promise<void>;
}

/** One library over one transport. */
export interface Adapter {
  /** Library name as printed in the table (`capnweb`, `@msc`, `floor: MessageChannel`). */
  readonly library: string;
  /** Transport the rows are reported under. */
  readonly transport: TransportName;
  /** What kind of row this is; decides the ratio columns and which workloads apply. */
  readonly kind: AdapterKind;
  /** Whether `incrementNewCounter` pipelines (one round trip) or awaits twice. */
  readonly pipelining: boolean;
  /**
   * Workloads this adapter cannot run, by workload id (`W3d`, `W5`…), with the reason printed in the
   * row as `n/a: <reason>`. They get an n/a row without starting an endpoint; when every delayed
   * workload is listed, `start` is never called with a delay. Default: none.
   */
  readonly notApplicable?: Readonly<Record<string, string>>;
  /**
   * For a baseline row (`--baseline`): the library of the row it is the baseline of (`@msc`), which
   * gets the before/after ratio against it. Absent otherwise.
   */
  readonly baselineOf?: string;
  /** Starts a server (on 127.0.0.1, port 0, for socket transports) and resolves when it listens. */
  start(options: StartOptions): Promise<Endpoint>;
}
