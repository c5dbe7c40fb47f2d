import { describe, expect, test, vi } from 'vitest';

// A call result's consumer view for sequences (`for await`, `capacity`, `batchSize`) is installed
// when the stream ends' module loads (result-streams.ts): a result can only turn out to be a stream
// once stream ends exist, and a program that never loads them (a page without streams) carries none.
describe('the consumer view of call results exists once stream ends can', () => {
  test('a result made before the stream classes load has none; loading them installs it', async () => {
    vi.resetModules(); // a program that has loaded no stream class yet
    const { createResult } = await import('../src/facade/facade.ts');
    const { PromiseHandler } = await import('../src/handlers/promise-handler.ts');
    const handler = new PromiseHandler();
    const result = createResult(handler) as { capacity?: number } & AsyncIterable<number> &
      PromiseLike<unknown>;
    const prototype = Object.getPrototypeOf(result) as object;
    expect(Object.getOwnPropertyDescriptor(prototype, 'capacity')).toBeUndefined();
    expect(Symbol.asyncIterator in result).toBe(false);

    const eventual = await import('../src/index.ts'); // loads stream-ends.ts
    expect(Object.getOwnPropertyDescriptor(prototype, 'capacity')).toBeDefined();
    expect(Symbol.asyncIterator in result).toBe(true);
    // The result made earlier takes the settings, and hands them to the sequence it turns out to be.
    result.capacity = 3;
    expect(result.capacity).toBe(3);
    const [items, writer] = eventual.sequence<number>();
    handler.settle({ kind: 'value', value: items });
    const iterator = result[Symbol.asyncIterator]();
    void writer.write(1);
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 1 });
    expect(items.capacity).toBe(3);
    await iterator.return?.();
  });
});
