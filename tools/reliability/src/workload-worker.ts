import {
  type Bytes,
  bytes,
  type Proxy,
  proxy,
  type Sequence,
  type SequenceWriter,
  sequence,
} from '@msc/eventual';

/** What each side of the fault-injection workload serves (both sides host one: capabilities flow both ways). */
export interface IWorker {
  add(n: number): Promise<number>;
  echo(value: unknown): Promise<unknown>;
  /** A fresh worker (total 0): a capability result, pipelinable. */
  clone(): Proxy<IWorker>;
  /** Returns the capability it was given (a loopback when it came from the caller). */
  echoCapability(other: Proxy<IWorker>): Proxy<IWorker>;
  /** Calls `other.add(n)`: a call back into the caller's side. */
  callBack(other: Proxy<IWorker>, n: number): Promise<number>;
  count(to: number): Sequence<number>;
  sum(items: Sequence<number>): Promise<number>;
  fill(writer: SequenceWriter<number>, count: number): Promise<void>;
  download(size: number): Bytes;
  upload(data: Bytes): Promise<number>;
  fail(message: string): Promise<number>;
}

/**
 * The workload's service. It owns the capabilities it is given and disposes them when done, and its
 * producers stop quietly when their stream ends early (a broken connection aborts them): the suite
 * checks that the library, not this code, never leaves a rejection unhandled.
 */
export class Worker implements IWorker {
  total = 0;
  async add(n: number): Promise<number> {
    return (this.total += n);
  }
  async echo(value: unknown): Promise<unknown> {
    return value;
  }
  clone(): Proxy<IWorker> {
    return proxy<IWorker>(new Worker());
  }
  echoCapability(other: Proxy<IWorker>): Proxy<IWorker> {
    return other;
  }
  async callBack(other: Proxy<IWorker>, n: number): Promise<number> {
    try {
      return await other.add(n);
    } finally {
      other[Symbol.dispose]();
    }
  }
  count(to: number): Sequence<number> {
    const [items, writer] = sequence<number>({ capacity: 4 });
    void (async () => {
      for (let index = 0; index < to; index++) {
        writer.write(index);
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return items;
  }
  async sum(items: Sequence<number>): Promise<number> {
    let total = 0;
    for await (const item of items) total += item;
    return total;
  }
  async fill(writer: SequenceWriter<number>, count: number): Promise<void> {
    try {
      for (let index = 0; index < count; index++) {
        writer.write(index);
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    } catch (error) {
      writer.abort(error);
      throw error;
    }
  }
  download(size: number): Bytes {
    const [data, writer] = bytes({ capacity: 8 * 1024 });
    void (async () => {
      const chunk = new Uint8Array(3_000).fill(5);
      for (let sent = 0; sent < size; sent += chunk.byteLength) {
        writer.write(chunk.subarray(0, Math.min(chunk.byteLength, size - sent)));
        await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return data;
  }
  async upload(data: Bytes): Promise<number> {
    let total = 0;
    for await (const chunk of data) total += chunk.byteLength;
    return total;
  }
  async fail(message: string): Promise<number> {
    throw new RangeError(message);
  }
}
