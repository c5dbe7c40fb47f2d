import { describe, expect, test } from 'vitest';
import {
  AbortedError,
  bytes,
  CancelledError,
  MethodNotFoundError,
  type Proxy,
  proxy,
  Resolver,
  type Sequence,
  sequence,
} from '../src/index.ts';

/**
 * The endings of a stream in process, without a session: the same as over a session
 * (packages/transport-tcp/test/stream-endings.test.ts runs those over memory and TCP).
 */

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Starts an endless flush()-paced producer; `state` says how far it got and how it ended. */
function endless(capacity = 4) {
  const state = { written: 0, ended: undefined as string | undefined };
  const [items, writer] = sequence<number>({ capacity });
  void (async () => {
    try {
      for (;;) {
        await writer.flush();
        writer.write(state.written++);
      }
    } catch (error) {
      state.ended = error instanceof CancelledError ? 'cancelled' : (error as Error).name;
    }
  })();
  return { items, state };
}

describe('stream endings in process', () => {
  test('close() resolves once the consumer read every item, not before', async () => {
    const [items, writer] = sequence<number>();
    writer.write(1);
    writer.write(2);
    let closed = false;
    const closing = writer.close().then(() => (closed = true));
    await items.read();
    await sleep(1);
    expect(closed).toBe(false);
    await items.read();
    await closing;
    expect(closed).toBe(true);
  });

  test('close() rejects with CancelledError when the consumer cancels first, AbortedError when aborted first', async () => {
    const [items, writer] = sequence<number>();
    writer.write(1);
    const closing = writer.close();
    items.cancel(new Error('enough'));
    await expect(closing).rejects.toBeInstanceOf(CancelledError);
    await expect(writer.close()).rejects.toBeInstanceOf(CancelledError);
    const [data, bytesWriter] = bytes();
    bytesWriter.write(new Uint8Array(4));
    const bytesClosing = bytesWriter.close();
    bytesWriter.abort(new Error('crashed'));
    await expect(bytesClosing).rejects.toBeInstanceOf(AbortedError);
    await expect(data.read()).rejects.toBeInstanceOf(AbortedError);
  });

  test('a stream read to the end is over: cancel and abort afterwards change nothing', async () => {
    const [items, writer] = sequence<number>();
    writer.write(1);
    void writer.close();
    expect(await items.read()).toEqual({ done: false, value: 1 });
    items.cancel();
    writer.abort();
    await expect(writer.close()).resolves.toBeUndefined();
    expect(await items.read()).toEqual({ done: true, value: undefined });
  });

  test('a consumer end disposed unread (`using`) cancels its producer', async () => {
    const { items, state } = endless();
    {
      using held = items;
      expect(await held.read()).toEqual({ done: false, value: 0 });
    }
    await sleep(1);
    expect(state.ended).toBe('cancelled');
  });

  test('a consumer end dropped unread is cancelled when collected', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'tests run with --expose-gc').toBeDefined();
    const state = (() => endless().state)(); // the sequence is dropped at once
    for (let attempt = 0; attempt < 200 && state.ended === undefined; attempt++) {
      gc!();
      await sleep(5);
    }
    expect(state.ended).toBe('cancelled');
  });

  test('a producer end disposed without close() aborts the stream; after close() it does nothing', async () => {
    const [items, writer] = sequence<number>();
    {
      using scoped = writer;
      scoped.write(1);
    }
    await expect(items.read()).rejects.toBeInstanceOf(AbortedError);
    const [closedItems, closedWriter] = sequence<number>();
    {
      using scoped = closedWriter;
      scoped.write(1);
      void scoped.close();
    }
    expect(await closedItems.read()).toEqual({ done: false, value: 1 });
    expect(await closedItems.read()).toEqual({ done: true, value: undefined });
  });

  test('a producer end dropped open is aborted when collected: the consumer read rejects', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'tests run with --expose-gc').toBeDefined();
    const items = (() => sequence<number>()[0])(); // the writer is dropped at once, never closed
    let outcome: unknown;
    items.read().then(
      () => (outcome = 'read'),
      (error: unknown) => (outcome = error),
    );
    for (let attempt = 0; attempt < 200 && outcome === undefined; attempt++) {
      gc!();
      await sleep(5);
    }
    expect(outcome).toBeInstanceOf(AbortedError);
    expect((outcome as Error).message).toMatch(/dropped without close\(\)/);
    // A writer closed and then dropped ends normally.
    const closedItems = (() => {
      const [consumer, writer] = sequence<number>();
      writer.write(1);
      void writer.close();
      return consumer;
    })();
    gc!();
    await sleep(5);
    expect(await closedItems.read()).toEqual({ done: false, value: 1 });
    expect(await closedItems.read()).toEqual({ done: true, value: undefined });
  });

  test("a sequence passed to a method the target does not have aborts the producer's end", async () => {
    const target = proxy({}) as unknown as Proxy<{ absent(items: Sequence<number>): Promise<void> }>;
    const [items, writer] = sequence<number>({ capacity: 2 });
    const call = target.absent(items);
    writer.write(1);
    writer.write(2);
    await expect(call).rejects.toBeInstanceOf(MethodNotFoundError);
    await expect(writer.flush()).rejects.toBeInstanceOf(AbortedError);
    await expect(writer.close()).rejects.toBeInstanceOf(AbortedError);
    target[Symbol.dispose]();
  });

  test('a call result that is a sequence ends with the result: disposing it cancels the producer', async () => {
    const { items, state } = endless();
    class Source {
      list(): Sequence<number> {
        return items;
      }
    }
    const source = proxy(new Source());
    {
      using result = source.list();
      expect(await (await result).read()).toEqual({ done: false, value: 0 });
    }
    await sleep(1);
    expect(state.ended).toBe('cancelled');
    source[Symbol.dispose]();
  });

  test('a sequence result pipelined on an unresolved promise and disposed at once cancels the producer when it arrives', async () => {
    const { items, state } = endless();
    class Source {
      list(): Sequence<number> {
        return items;
      }
    }
    const resolver = new Resolver<Proxy<Source>>();
    {
      // No reference to the result is left, but disposing it still waits for the stream it becomes.
      using _result = resolver.proxy().list();
    }
    resolver.resolve(proxy(new Source()));
    for (let attempt = 0; attempt < 50 && state.ended === undefined; attempt++) await sleep(1); // no gc()
    expect(state.ended).toBe('cancelled');
  });

  test('a flush()-paced producer is never more than one window ahead', async () => {
    const { items, state } = endless(4);
    let read = 0;
    let mostAhead = 0;
    for await (const _item of items) {
      read++;
      await sleep(1);
      mostAhead = Math.max(mostAhead, state.written - read);
      if (read === 20) break;
    }
    expect(mostAhead).toBe(4);
  });
});
