import {
  AbortedError,
  type Bytes,
  type BytesWriter,
  bytes,
  CancelledError,
  MethodNotFoundError,
  type Proxy,
  type Sequence,
  type SequenceWriter,
  sequence,
} from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { served, sleep } from './harness.ts';

interface IStreams {
  count(to: number): Sequence<number>;
  sum(items: Sequence<number>): Promise<number>;
  fill(writer: SequenceWriter<string>, count: number): Promise<void>;
  nested(): Sequence<Sequence<string>>;
  inData(): Promise<{ label: string; items: Sequence<number> }>;
  endless(): Sequence<number>;
  failing(): Sequence<number>;
  aborting(): Sequence<number>;
  download(size: number): Bytes;
  upload(data: Bytes): Promise<number>;
  ping(): Promise<string>;
  producerState(): Promise<{ written: number; cancelled: boolean; error: string | undefined }>;
}

class Streams implements IStreams {
  written = 0;
  cancelled = false;
  error: string | undefined;
  count(to: number) {
    const [items, writer] = sequence<number>();
    void (async () => {
      for (let index = 0; index < to; index++) {
        writer.write(index);
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })();
    return items;
  }
  async sum(items: Sequence<number>) {
    let total = 0;
    for await (const item of items) total += item;
    return total;
  }
  async fill(writer: SequenceWriter<string>, count: number) {
    for (let index = 0; index < count; index++) writer.write(`item ${index}`);
    await writer.close();
  }
  nested() {
    const [outer, outerWriter] = sequence<Sequence<string>>();
    for (const name of ['a', 'b']) {
      const [inner, innerWriter] = sequence<string>();
      innerWriter.write(`${name}1`);
      innerWriter.write(`${name}2`);
      void innerWriter.close();
      outerWriter.write(inner);
    }
    void outerWriter.close();
    return outer;
  }
  async inData() {
    return { label: 'numbers', items: this.count(3) };
  }
  endless() {
    const [items, writer] = sequence<number>({ capacity: 4 });
    void (async () => {
      try {
        for (;;) {
          writer.write(this.written++);
          await writer.flush();
        }
      } catch (error) {
        this.cancelled = error instanceof CancelledError;
        this.error = ((error as Error).cause as Error | undefined)?.message;
      }
    })();
    return items;
  }
  failing() {
    const [items, writer] = sequence<number>();
    writer.write(1);
    writer.write(2);
    void writer.close(new RangeError('ran out of numbers'));
    return items;
  }
  aborting() {
    const [items, writer] = sequence<number>();
    writer.write(1);
    setTimeout(() => writer.abort(new Error('crashed')), 20);
    return items;
  }
  download(size: number) {
    const [data, writer] = bytes();
    void (async () => {
      const chunk = new Uint8Array(64 * 1024).fill(7);
      for (let sent = 0; sent < size; sent += chunk.byteLength) {
        writer.write(chunk.subarray(0, Math.min(chunk.byteLength, size - sent)));
        await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return data;
  }
  async upload(data: Bytes) {
    let total = 0;
    for await (const chunk of data) total += chunk.byteLength;
    return total;
  }
  async ping() {
    return 'pong';
  }
  async producerState() {
    return { written: this.written, cancelled: this.cancelled, error: this.error };
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

describe('streaming across a session', () => {
  test('a sequence result is iterated at once, in order, with early consumer settings', async () => {
    const { remote } = served<IStreams>(new Streams());
    const items = remote.count(1000);
    items.capacity = 16; // before the sequence has arrived
    items.batchSize = 8;
    const received = await collect(items);
    expect(received).toEqual(Array.from({ length: 1000 }, (_, index) => index));
    remote[Symbol.dispose]();
  });

  test('a sequence travels as an argument', async () => {
    const { remote } = served<IStreams>(new Streams());
    const [items, writer] = sequence<number>();
    const total = remote.sum(items);
    for (let index = 1; index <= 100; index++) writer.write(index);
    void writer.close();
    expect(await total).toBe(5050);
    remote[Symbol.dispose]();
  });

  test('a writer travels as an argument: the callee produces into our sequence', async () => {
    const { remote } = served<IStreams>(new Streams());
    const [items, writer] = sequence<string>({ capacity: 4 });
    const done = remote.fill(writer, 50);
    const received = await collect(items);
    await done;
    expect(received).toHaveLength(50);
    expect(received[49]).toBe('item 49');
    remote[Symbol.dispose]();
  });

  test('sequences nest and sit inside data', async () => {
    const { remote } = served<IStreams>(new Streams());
    const all: string[] = [];
    for await (const inner of remote.nested()) all.push(...(await collect(inner)));
    expect(all).toEqual(['a1', 'a2', 'b1', 'b2']);
    const data = await remote.inData();
    expect(data.label).toBe('numbers');
    expect(await collect(data.items)).toEqual([0, 1, 2]);
    remote[Symbol.dispose]();
  });

  test('cancel reaches the producer at its next write; a slow consumer bounds what is in flight', async () => {
    const streams = new Streams();
    const { remote } = served<IStreams>(streams);
    const items = remote.endless();
    items.capacity = 4; // the window: at most 4 items in flight
    let read = 0;
    for await (const _item of items) {
      read++;
      await sleep(2); // slow consumer
      // Memory stays bounded by the capacity: what is in flight, unread here and buffered at the
      // producer is one window (4) in all, whatever the session does in between.
      const state = await remote.producerState();
      expect(state.written - read).toBeLessThanOrEqual(4);
      if (read === 20) break; // cancels
    }
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await remote.producerState()).cancelled) break;
      await sleep(2);
    }
    expect((await remote.producerState()).cancelled).toBe(true);
    remote[Symbol.dispose]();
  });

  test("the consumer's cancel error reaches the producer as the cause", async () => {
    const streams = new Streams();
    const { remote } = served<IStreams>(streams);
    const items = await remote.endless();
    await items.read();
    items.cancel(new Error('player left'));
    for (let attempt = 0; attempt < 100 && streams.error === undefined; attempt++) await sleep(2);
    expect(streams.error).toBe('player left');
    remote[Symbol.dispose]();
  });

  test('close with an error delivers the remaining items, then the error', async () => {
    const { remote } = served<IStreams>(new Streams());
    const items = await remote.failing();
    expect(await items.read()).toEqual({ done: false, value: 1 });
    expect(await items.read()).toEqual({ done: false, value: 2 });
    const error = await items.read().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('ran out of numbers');
    remote[Symbol.dispose]();
  });

  test('abort is prompt: a waiting read rejects with AbortedError', async () => {
    const { remote } = served<IStreams>(new Streams());
    const items = await remote.aborting();
    expect(await items.read()).toEqual({ done: false, value: 1 });
    await expect(items.read()).rejects.toBeInstanceOf(AbortedError);
    remote[Symbol.dispose]();
  });

  test('session termination ends every stream that spans it on both sides', async () => {
    const { remote, listener, dialer } = served<IStreams>(new Streams(), { unchecked: true });
    const items = await remote.endless();
    await items.read();
    const [outgoing, writer] = sequence<number>();
    void remote.sum(outgoing);
    await sleep(5);
    await listener.terminate('server gone');
    await expect(
      (async () => {
        for (;;) await items.read();
      })(),
    ).rejects.toBeInstanceOf(AbortedError);
    await dialer.closed;
    expect(() => writer.write(1)).toThrow(AbortedError);
    expect(dialer.stats().streams).toBe(0);
  });

  test('many streams at once in both directions do not block each other', async () => {
    const { remote } = served<IStreams>(new Streams());
    const downloads = Array.from({ length: 10 }, (_, index) => collect(remote.count(100 + index)));
    const uploads = Array.from({ length: 10 }, (_, index) => {
      const [items, writer] = sequence<number>();
      const total = remote.sum(items);
      for (let value = 0; value <= index; value++) writer.write(value);
      void writer.close();
      return total;
    });
    const downloaded = await Promise.all(downloads);
    expect(downloaded.map((items) => items.length)).toEqual(
      Array.from({ length: 10 }, (_, index) => 100 + index),
    );
    expect(await Promise.all(uploads)).toEqual(
      Array.from({ length: 10 }, (_, index) => (index * (index + 1)) / 2),
    );
    remote[Symbol.dispose]();
  });

  test('byte streams in both directions; a ping is not stuck behind a large download', async () => {
    const { remote } = served<IStreams>(new Streams());
    const size = 32 * 1024 * 1024;
    const download = await remote.download(size);
    const first = await download.read();
    expect(first.done).toBe(false);
    // The download is in flight, bounded by its window: a call still gets through promptly.
    expect(await remote.ping()).toBe('pong');
    let total = (first.value as Uint8Array).byteLength;
    for await (const chunk of download) total += chunk.byteLength;
    expect(total).toBe(size);
    const [upload, writer] = bytes({ capacity: 8192 });
    const counted = remote.upload(upload);
    for (let index = 0; index < 100; index++) {
      writer.write(new Uint8Array(1000));
      await writer.flush();
    }
    void writer.close();
    expect(await counted).toBe(100_000);
    remote[Symbol.dispose]();
  });

  test('a writer passed for bytes: the callee writes, we read', async () => {
    interface IBytesFill {
      fill(writer: BytesWriter): Promise<void>;
    }
    class BytesFill implements IBytesFill {
      async fill(writer: BytesWriter) {
        writer.write(new TextEncoder().encode('hello '));
        writer.write(new TextEncoder().encode('bytes'));
        await writer.close();
      }
    }
    const { remote } = served<IBytesFill>(new BytesFill());
    const [data, writer] = bytes();
    // The callee's close() resolves once we have read everything: read while it runs.
    const filled = remote.fill(writer);
    expect(new TextDecoder().decode(await data.readExactly(100))).toBe('hello bytes');
    await filled;
    remote[Symbol.dispose]();
  });

  test('with a version 1 peer close() resolves once sent and a consumer-side abort arrives as a cancel', async () => {
    interface IHolder {
      hold(items: Sequence<number>): Promise<void>;
    }
    class Holder implements IHolder {
      held: Sequence<number> | undefined;
      async hold(items: Sequence<number>) {
        this.held = items;
      }
    }
    const holder = new Holder();
    const { remote, dialer } = served<IHolder>(holder, { listener: { versions: [1] } });
    const [items, writer] = sequence<number>();
    await remote.hold(items);
    expect(dialer.protocolVersion).toBe(1);
    writer.write(1);
    await writer.close(); // version 1 cannot tell when it was read: resolved once sent
    expect(await holder.held!.read()).toEqual({ done: false, value: 1 });
    expect(await holder.held!.read()).toEqual({ done: true, value: undefined });
    const missing = remote as unknown as Proxy<{ absent(items: Sequence<number>): Promise<void> }>;
    const [other, otherWriter] = sequence<number>();
    for (let index = 0; index < 100; index++) otherWriter.write(index);
    const flushed = otherWriter.flush().catch((error: unknown) => error);
    await expect(missing.absent(other)).rejects.toBeInstanceOf(MethodNotFoundError);
    expect(await flushed).toBeInstanceOf(CancelledError);
    remote[Symbol.dispose]();
  });
});
