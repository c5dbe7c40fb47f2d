import { describe, expect, test } from 'vitest';
import {
  AbortedError,
  CancelledError,
  ClosedError,
  type Proxy,
  proxy,
  type Sequence,
  sequence,
} from '../src/index.ts';
import { Calc, type ICalc } from './fixtures.ts';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

describe('Sequence', () => {
  test('items written are read in order, then the end', async () => {
    const [items, writer] = sequence<number>();
    for (let index = 0; index < 5; index++) writer.write(index);
    void writer.close();
    expect(await collect(items)).toEqual([0, 1, 2, 3, 4]);
  });

  test('a read posted before the write is served by the write', async () => {
    const [items, writer] = sequence<string>();
    const pending = items.read();
    writer.write('late');
    expect(await pending).toEqual({ done: false, value: 'late' });
  });

  test('reads served from the buffer are available without waiting', () => {
    const [items, writer] = sequence<number>();
    writer.write(1);
    expect(items.tryRead()).toEqual({ done: false, value: 1 });
    expect(items.tryRead()).toBeUndefined();
  });

  test('flush waits while the window is full and resumes as the consumer reads', async () => {
    const [items, writer] = sequence<number>({ capacity: 2 });
    writer.write(1);
    await writer.flush(); // one unread < capacity 2
    writer.write(2);
    let flushed = false;
    const flushing = writer.flush().then(() => {
      flushed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(flushed).toBe(false);
    expect(writer.desiredSize).toBe(0);
    await items.read();
    await flushing;
    expect(flushed).toBe(true);
  });

  test('raising the capacity releases a waiting flush', async () => {
    const [items, writer] = sequence<number>({ capacity: 1 });
    writer.write(1);
    const flushing = writer.flush();
    items.capacity = 4;
    await flushing;
    expect(items.capacity).toBe(4);
  });

  test('close with an error delivers remaining items then the error', async () => {
    const [items, writer] = sequence<number>();
    writer.write(1);
    writer.write(2);
    void writer.close(new Error('producer failed'));
    expect(await items.read()).toEqual({ done: false, value: 1 });
    expect(await items.read()).toEqual({ done: false, value: 2 });
    await expect(items.read()).rejects.toThrow('producer failed');
  });

  test('close resolves once the consumer has read everything', async () => {
    const [items, writer] = sequence<number>();
    writer.write(1);
    let closed = false;
    const closing = writer.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(closed).toBe(false);
    await items.read();
    await closing;
    expect(closed).toBe(true);
  });

  test('write after close throws ClosedError', () => {
    const [, writer] = sequence<number>();
    void writer.close();
    expect(() => writer.write(1)).toThrow(ClosedError);
  });

  test('abort mid-read rejects the pending read with AbortedError and drops buffered items', async () => {
    const [items, writer] = sequence<number>();
    const pending = items.read();
    writer.abort(new Error('crashed'));
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(items.read()).rejects.toBeInstanceOf(AbortedError);
    const [other, otherWriter] = sequence<number>();
    otherWriter.write(1);
    otherWriter.abort();
    await expect(other.read()).rejects.toBeInstanceOf(AbortedError);
  });

  test("cancel reaches the producer at its next write, with the consumer's error as cause", () => {
    const [items, writer] = sequence<number>();
    writer.write(1);
    const reason = new Error('player left');
    items.cancel(reason);
    expect(writer.cancelled).toBe(true);
    let error: unknown;
    try {
      writer.write(2);
    } catch (failure) {
      error = failure;
    }
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).cause).toBe(reason);
  });

  test('cancel while the writer waits in flush rejects the flush with CancelledError', async () => {
    const [items, writer] = sequence<number>({ capacity: 1 });
    writer.write(1);
    const flushing = writer.flush();
    items.cancel();
    await expect(flushing).rejects.toBeInstanceOf(CancelledError);
  });

  test('leaving a for-await loop early cancels the sequence', async () => {
    const [items, writer] = sequence<number>();
    for (let index = 0; index < 10; index++) writer.write(index);
    for await (const item of items) {
      if (item === 2) break;
    }
    expect(writer.cancelled).toBe(true);
  });

  test('iteration broken by an exception cancels the sequence', async () => {
    const [items, writer] = sequence<number>();
    writer.write(1);
    await expect(
      (async () => {
        for await (const _item of items) throw new Error('consumer bug');
      })(),
    ).rejects.toThrow('consumer bug');
    expect(() => writer.write(2)).toThrow(CancelledError);
  });

  test('capacity and batchSize must be positive integers', () => {
    expect(() => sequence({ capacity: 0 })).toThrow(RangeError);
    const [items] = sequence();
    expect(() => {
      items.batchSize = 1.5;
    }).toThrow(RangeError);
  });

  test('a method returning a sequence can be iterated at once through the call result', async () => {
    const calc = proxy<ICalc>(new Calc(10));
    const history = calc.history();
    history.capacity = 4; // set before the sequence has arrived
    expect(await collect(history)).toEqual([10, 11]);
    const awaited = await calc.history();
    expect(awaited.capacity).toBe(64);
  });

  test('early consumer settings on a call result are applied to the sequence', async () => {
    const calc = proxy<ICalc>(new Calc(1));
    const history = calc.history();
    history.capacity = 3;
    history.batchSize = 2;
    const arrived = await history;
    expect([arrived.capacity, arrived.batchSize]).toEqual([3, 2]);
  });

  test('a sequence can be an item of another sequence and travel inside data', async () => {
    const [outer, outerWriter] = sequence<Sequence<string>>();
    const [inner, innerWriter] = sequence<string>();
    outerWriter.write(inner);
    void outerWriter.close();
    innerWriter.write('nested');
    void innerWriter.close();
    interface IConsumer {
      drain(input: { items: Sequence<Sequence<string>> }): Promise<string[]>;
    }
    class Consumer implements IConsumer {
      async drain(input: { items: Sequence<Sequence<string>> }): Promise<string[]> {
        const all: string[] = [];
        for await (const nested of input.items) all.push(...(await collect(nested)));
        return all;
      }
    }
    const consumer: Proxy<IConsumer> = proxy<IConsumer>(new Consumer());
    expect(await consumer.drain({ items: outer })).toEqual(['nested']);
  });
});

describe("the producer's view of what it holds", () => {
  test('unread counts items written and not yet read, whatever capacity the consumer declared', async () => {
    const [items, writer] = sequence<number>({ capacity: 1_000_000 });
    for (let index = 0; index < 5; index++) writer.write(index);
    expect(writer.unread).toBe(5);
    expect(writer.desiredSize).toBe(1_000_000 - 5);
    await items.read();
    expect(items.tryRead()).toEqual({ done: false, value: 1 });
    expect(writer.unread).toBe(3);
    items.capacity = 2;
    expect(writer.unread).toBe(3);
  });

  test('an item handed straight to a waiting read is never unread', async () => {
    const [items, writer] = sequence<string>();
    const pending = items.read();
    writer.write('direct');
    expect(writer.unread).toBe(0);
    expect(await pending).toEqual({ done: false, value: 'direct' });
  });

  test('cancel and abort drop what was unread', () => {
    const [cancelled, cancelledWriter] = sequence<number>();
    cancelledWriter.write(1);
    cancelled.cancel();
    expect(cancelledWriter.unread).toBe(0);
    const [, abortedWriter] = sequence<number>();
    abortedWriter.write(1);
    abortedWriter.abort(new Error('gone'));
    expect(abortedWriter.unread).toBe(0);
  });

  test('whenEnded resolves when the consumer cancels', async () => {
    const [items, writer] = sequence<number>();
    let ended = false;
    void writer.whenEnded().then(() => (ended = true));
    writer.write(1);
    await Promise.resolve();
    expect(ended).toBe(false);
    items.cancel(new Error('not interested'));
    await writer.whenEnded();
    await Promise.resolve();
    expect(ended).toBe(true);
  });

  test('whenEnded resolves when the stream is aborted, and at once after', async () => {
    const [items, writer] = sequence<number>();
    const ended = writer.whenEnded();
    writer.abort(new Error('session ended'));
    await ended;
    await writer.whenEnded();
    await expect(items.read()).rejects.toBeInstanceOf(AbortedError);
  });

  test('whenEnded waits after close until everything written was read', async () => {
    const [items, writer] = sequence<number>();
    writer.write(1);
    void writer.close();
    let ended = false;
    void writer.whenEnded().then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ended).toBe(false);
    expect(await items.read()).toEqual({ done: false, value: 1 });
    await writer.whenEnded();
    expect(ended).toBe(true);
  });

  test('closing an empty stream ends it for the producer at once', async () => {
    const [, writer] = sequence<number>();
    const ended = writer.whenEnded();
    await writer.close();
    await ended;
  });
});
