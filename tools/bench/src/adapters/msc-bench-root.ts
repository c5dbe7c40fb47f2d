/**
 * The server side of @msc's benchmark service: the root capability every @msc row serves, written
 * once. The in-process rows (`msc.ts`) serve it from this thread; the worker row serves it from a
 * SIP (`../sip/bench-root.sip.ts`, bundled into a worker thread), so both run the same code.
 */
import { type Bytes, bytes, type Proxy, proxy, type Sequence, sequence } from '@msc/eventual';
import type { Item } from '../adapter.ts';
import { byteStreamChunks, Counter, sequenceItem, service } from '../service.ts';

/** The counter capability W3 creates and increments. */
export interface ICounter {
  /** Adds one and resolves with the new value. */
  inc(): Promise<number>;
}

/** The root capability of the benchmark service, as @msc clients see it. */
export interface IBenchRoot {
  /** W1/W2: resolves with `a + b`. */
  add(a: number, b: number): Promise<number>;
  /** W3: a fresh counter, as a capability (pipelinable: the caller need not await it). */
  getCounter(): Proxy<ICounter>;
  /** W4: resolves with the bytes it got. */
  echoBytes(bytes: Uint8Array): Promise<Uint8Array>;
  /** W4: resolves with the items it got. */
  echoItems(items: Item[]): Promise<Item[]>;
  /** S1: a sequence of `count` items, written with the consumer's flow control. */
  sequence(count: number): Sequence<Item>;
  /** S2: `totalBytes` bytes written in chunks of `chunkBytes`, with the consumer's flow control. */
  byteStream(totalBytes: number, chunkBytes: number): Bytes;
}

/** The counter target behind `getCounter()`. */
class CounterTarget implements ICounter {
  readonly #counter = new Counter();
  async inc(): Promise<number> {
    return this.#counter.inc();
  }
}

/** The root target: wrap it with `proxy<IBenchRoot>(new BenchRoot())` and serve it as a session's root. */
export class BenchRoot implements IBenchRoot {
  async add(a: number, b: number): Promise<number> {
    return service.add(a, b);
  }
  getCounter(): Proxy<ICounter> {
    return proxy<ICounter>(new CounterTarget());
  }
  async echoBytes(data: Uint8Array): Promise<Uint8Array> {
    return data;
  }
  async echoItems(items: Item[]): Promise<Item[]> {
    return items;
  }
  sequence(count: number): Sequence<Item> {
    const [items, writer] = sequence<Item>();
    // The writer runs on its own; a consumer that goes away makes its writes fail, which ends it.
    void (async () => {
      for (let index = 0; index < count; index++) {
        writer.write(sequenceItem(index));
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return items;
  }
  byteStream(totalBytes: number, chunkBytes: number): Bytes {
    const [stream, writer] = bytes();
    void (async () => {
      for (const chunk of byteStreamChunks(totalBytes, chunkBytes)) {
        // The shared chunk itself, as the floors send it: ownership passes to the stream, and the
        // contract (BytesWriter.write) asks only that it not change afterwards, which it never does.
        writer.write(chunk);
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return stream;
  }
}
