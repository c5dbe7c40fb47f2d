import {
  AbortedError,
  type Bytes,
  bytes,
  CancelledError,
  MethodNotFoundError,
  type Proxy,
  proxy,
  type Sequence,
  type SequenceWriter,
  sequence,
} from '@msc/eventual';
import { Scope, type Session, unauthenticated } from '@msc/session';
import type { Transport } from '@msc/transport';
import { memory } from '@msc/transport-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { isDrained } from '../../session/test/fixtures/leak-check.ts';
import { tcp } from '../src/index.ts';

/**
 * Stream endings that tell the truth, over memory and over TCP on 127.0.0.1: a consumer end that is
 * disposed or dropped unread cancels its producer; a stream in a call that never reaches its target
 * aborts the producer's end; `close()` resolves once the consumer read every item and rejects when
 * the session ends first; a `flush()`-paced producer is never more than one window ahead. Every
 * test ends as a leak check: both sides' tables (streams included) back to the roots.
 */

interface IStreams {
  /** An endless sequence paced by `flush()`; records what it wrote and how it ended. */
  endless(): Sequence<number>;
  /** How far `endless` got. */
  producerState(): Promise<{ written: number; ended: string | undefined }>;
  /** Keeps a sequence unread until `readHeld`. */
  hold(items: Sequence<number>): Promise<void>;
  /** Reads the held sequence to the end. */
  readHeld(): Promise<number[]>;
  /** Keeps a byte stream unread until `readHeldBytes`. */
  holdBytes(data: Bytes): Promise<void>;
  /** Reads the held byte stream to the end; its length. */
  readHeldBytes(): Promise<number>;
  /** Takes a producer end and drops it: never writes, never closes. */
  forget(writer: SequenceWriter<number>): Promise<void>;
}

/** The name an error ended a producer with: `cancelled`, `aborted` or the error's name. */
function ending(error: unknown): string {
  if (error instanceof CancelledError) return 'cancelled';
  if (error instanceof AbortedError) return 'aborted';
  return (error as Error).name;
}

class Streams implements IStreams {
  written = 0;
  ended: string | undefined;
  held: Sequence<number> | undefined;
  heldBytes: Bytes | undefined;
  endless() {
    const [items, writer] = sequence<number>();
    void (async () => {
      try {
        for (;;) {
          await writer.flush();
          writer.write(this.written++);
        }
      } catch (error) {
        this.ended = ending(error);
      }
    })();
    return items;
  }
  async producerState() {
    return { written: this.written, ended: this.ended };
  }
  async hold(items: Sequence<number>) {
    this.held = items;
  }
  async readHeld() {
    const all: number[] = [];
    for await (const item of this.held!) all.push(item);
    this.held = undefined;
    return all;
  }
  async holdBytes(data: Bytes) {
    this.heldBytes = data;
  }
  async forget(_writer: SequenceWriter<number>) {}
  async readHeldBytes() {
    let total = 0;
    for await (const chunk of this.heldBytes!) total += chunk.byteLength;
    this.heldBytes = undefined;
    return total;
  }
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Polls `condition` (collecting garbage between tries) for up to two seconds. */
async function eventually(condition: () => Promise<boolean> | boolean): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let attempt = 0; attempt < 400; attempt++) {
    if (await condition()) return;
    gc?.();
    await sleep(5);
  }
  expect(await condition(), 'condition never held').toBe(true);
}

/**
 * Polls `condition` for up to two seconds WITHOUT collecting garbage: for the releases that are
 * deterministic (disposal, `using`, `close()`), which must not need the collector.
 */
async function promptly(condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (await condition()) return;
    await sleep(5);
  }
  expect(await condition(), 'condition never held without garbage collection').toBe(true);
}

const cleanups: (() => Promise<unknown>)[] = [];
/** Sessions of the current test, both sides: checked for leaks after it. */
const sessions: Session[] = [];

afterEach(async () => {
  try {
    await eventually(() => sessions.every(isDrained));
    for (const session of sessions) {
      const stats = session.stats();
      const roots = session.isTerminated ? 0 : 1;
      expect(stats.streams, 'streams left open').toBe(0);
      expect(stats.questions + stats.answers + stats.embargoes, 'calls left open').toBe(0);
      expect(stats.exports, 'exports beyond the root').toBeLessThanOrEqual(roots);
      expect(stats.imports, 'imports beyond the root').toBeLessThanOrEqual(roots);
    }
  } finally {
    sessions.length = 0;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }
});

const transports: { name: string; transport: () => Transport; address: string }[] = [
  { name: 'memory', transport: () => memory(), address: 'memory:' },
  { name: 'TCP', transport: () => tcp(), address: 'tcp:127.0.0.1:0' },
];

describe.each(transports)('stream endings over $name', ({ transport, address }) => {
  /** A server and a client scope; `remote` is resolved unless `pipelined` (then calls queue on it). */
  async function connect({ pipelined = false } = {}) {
    const streams = new Streams();
    const root = proxy<IStreams>(streams);
    const track = (session: unknown) => sessions.push(session as Session);
    const server = new Scope({
      transport: transport(),
      authenticator: unauthenticated(),
      root,
      onSession: track,
    });
    root[Symbol.dispose]();
    cleanups.push(() => server.close());
    const listener = await server.listen(address);
    const client = new Scope({ transport: transport(), authenticator: unauthenticated(), onSession: track });
    cleanups.push(() => client.close());
    const remote = client.connect<IStreams>(listener.address);
    if (!pipelined) await remote.whenResolved();
    return { remote, streams, server, client };
  }

  test('a sequence disposed unread (`using`) cancels its producer and frees the stream, without GC', async () => {
    const { remote, streams } = await connect();
    {
      using items = await remote.endless();
      expect(await items.read()).toEqual({ done: false, value: 0 });
    }
    await promptly(() => streams.ended === 'cancelled' && sessions.every(isDrained));
    streams.ended = undefined;
    {
      // The call result stands for the stream: disposing it before the stream arrived ends it too.
      using _result = remote.endless();
    }
    await promptly(() => streams.ended === 'cancelled' && sessions.every(isDrained));
    remote[Symbol.dispose]();
  });

  test('a sequence result pipelined on an unresolved root and disposed at once cancels its producer, without GC', async () => {
    const { remote, streams } = await connect({ pipelined: true });
    {
      using _result = remote.endless();
    }
    await promptly(() => streams.ended === 'cancelled' && sessions.length === 2 && sessions.every(isDrained));
    remote[Symbol.dispose]();
  });

  test('a sequence dropped unread is cancelled when collected: the producer stops', async () => {
    const { remote, streams } = await connect();
    await readOneAndDrop(remote);
    // Nothing refers to the sequence any more: garbage collection cancels it (eventually() collects).
    await eventually(() => streams.ended === 'cancelled');
    const written = streams.written;
    await sleep(20);
    expect(streams.written).toBe(written);
    remote[Symbol.dispose]();
  });

  test('a producer end dropped open by its receiver is aborted when collected: the read rejects, the stream is freed', async () => {
    const { remote } = await connect();
    const [items, writer] = sequence<number>();
    await remote.forget(writer);
    const read = items.read().catch((error: unknown) => error);
    let outcome: unknown;
    void read.then((value) => (outcome = value));
    // Nothing refers to the received writer any more: garbage collection aborts it (eventually() collects).
    await eventually(() => outcome !== undefined && sessions.every(isDrained));
    expect(outcome).toBeInstanceOf(AbortedError);
    remote[Symbol.dispose]();
  });

  test("a sequence passed to a method the callee does not have aborts the producer's end", async () => {
    const { remote } = await connect();
    const [items, writer] = sequence<number>();
    const missing = remote as unknown as Proxy<{ absent(items: Sequence<number>): Promise<void> }>;
    const call = missing.absent(items);
    for (let index = 0; index < 100; index++) writer.write(index); // beyond any window
    const flushed = writer.flush().catch((error: unknown) => error);
    await expect(call).rejects.toBeInstanceOf(MethodNotFoundError);
    const error = await flushed;
    expect(error).toBeInstanceOf(AbortedError);
    expect(() => writer.write(3)).toThrow(AbortedError);
    await expect(writer.close()).rejects.toBeInstanceOf(AbortedError);
    await promptly(() => sessions.every(isDrained));
    remote[Symbol.dispose]();
  });

  test('close() resolves only once the consumer read every item', async () => {
    const { remote } = await connect();
    const [items, writer] = sequence<number>();
    await remote.hold(items);
    for (let index = 0; index < 5; index++) writer.write(index);
    let closed = false;
    const closing = writer.close().then(() => (closed = true));
    await sleep(30); // every item has long been sent; none was read
    expect(closed).toBe(false);
    expect(await remote.readHeld()).toEqual([0, 1, 2, 3, 4]);
    await closing;
    expect(closed).toBe(true);
    await promptly(() => sessions.every(isDrained));
    remote[Symbol.dispose]();
  });

  test('close() of a byte stream resolves once the consumer read every byte', async () => {
    const { remote } = await connect();
    const [data, writer] = bytes();
    await remote.holdBytes(data);
    writer.write(new Uint8Array(100_000));
    let closed = false;
    const closing = writer.close().then(() => (closed = true));
    await sleep(30);
    expect(closed).toBe(false);
    expect(await remote.readHeldBytes()).toBe(100_000);
    await closing;
    expect(closed).toBe(true);
    await promptly(() => sessions.every(isDrained));
    remote[Symbol.dispose]();
  });

  test('close() rejects with AbortedError when the session ends before the consumer read everything', async () => {
    const { remote, client } = await connect();
    const [items, writer] = sequence<number>();
    await remote.hold(items);
    const [data, bytesWriter] = bytes();
    await remote.holdBytes(data);
    writer.write(1);
    bytesWriter.write(new Uint8Array(10));
    const closing = writer.close();
    const bytesClosing = bytesWriter.close();
    await sleep(20); // shipped, unread
    remote[Symbol.dispose]();
    await client.close();
    await expect(closing).rejects.toBeInstanceOf(AbortedError);
    await expect(bytesClosing).rejects.toBeInstanceOf(AbortedError);
  });

  test('a flush()-paced producer relayed A→B→C is never more than the last consumer’s window ahead of it', async () => {
    async function serve(root: Proxy<unknown>) {
      const scope = new Scope({
        transport: transport(),
        authenticator: unauthenticated(),
        root,
        onSession: (session) => sessions.push(session as Session),
      });
      root[Symbol.dispose]();
      cleanups.push(() => scope.close());
      return (await scope.listen(address)).address;
    }
    const dialer = new Scope({
      transport: transport(),
      authenticator: unauthenticated(),
      onSession: (session) => sessions.push(session as Session),
    });
    cleanups.push(() => dialer.close());
    const holder = new Holder();
    const toC = dialer.connect<Holder>(await serve(proxy(holder)));
    const toB = dialer.connect<Relay>(await serve(proxy(new Relay(toC))));
    const [items, writer] = sequence<number>({ capacity: 4 });
    let written = 0;
    const producing = (async () => {
      try {
        for (;;) {
          await writer.flush();
          writer.write(written++);
        }
      } catch {}
    })();
    await toB.relay(items);
    let read = 0;
    let mostAhead = 0;
    for (let index = 0; index < 30; index++) {
      expect(await holder.items!.read()).toEqual({ done: false, value: index });
      read++;
      await sleep(2);
      mostAhead = Math.max(mostAhead, written - read);
    }
    expect(mostAhead).toBeLessThanOrEqual(4);
    expect(mostAhead).toBeGreaterThanOrEqual(2); // the window is used, not starved
    holder.items!.cancel();
    await producing; // the cancellation travelled back through B to the producer
    holder.items = undefined;
    await promptly(() => sessions.every(isDrained));
    toB[Symbol.dispose]();
  });

  test('a flush()-paced producer is never more than one window ahead of a slow consumer', async () => {
    const { remote, streams } = await connect();
    let read = 0;
    let mostAhead = 0;
    {
      using items = remote.endless();
      items.capacity = 4; // the consumer's window
      for await (const _item of items) {
        read++;
        await sleep(2);
        const { written } = await remote.producerState();
        mostAhead = Math.max(mostAhead, written - read);
        if (read === 30) break;
      }
    }
    expect(mostAhead).toBeLessThanOrEqual(4);
    expect(mostAhead).toBeGreaterThanOrEqual(3); // the window is used, not starved
    // Leaving the loop cancelled the stream and the block released the result: no collection needed.
    await promptly(() => streams.ended === 'cancelled' && sessions.every(isDrained));
    remote[Symbol.dispose]();
  });
});

/** The last hop of a relay: keeps the sequence it is given, with a window of 4, for the test to read. */
class Holder {
  items: Sequence<number> | undefined;
  async hold(items: Sequence<number>) {
    items.capacity = 4;
    this.items = items;
  }
}

/** The middle hop of a relay: passes the sequence it receives on to the next hop. */
class Relay {
  constructor(readonly next: Proxy<Holder>) {}
  async relay(items: Sequence<number>) {
    await this.next.hold(items);
  }
}

/** Reads one item of a remote sequence and returns, leaving nothing that refers to it. */
async function readOneAndDrop(remote: Proxy<IStreams>): Promise<void> {
  const items = await remote.endless();
  await items.read();
}
