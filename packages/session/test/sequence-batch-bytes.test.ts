import { handOff, type Proxy, proxy, type Sequence, sequence } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { served } from './harness.ts';

/**
 * A sequence's batches are sized by bytes as well as by the sink's item count (see
 * stream-source-pump.ts): items of any size cross, in order, as long as each fits in a frame.
 */
interface IBlobs {
  /** `sizes.length` items, item `i` being `sizes[i]` bytes filled with `i % 256`, written in one turn. */
  blobs(sizes: number[]): Sequence<Uint8Array>;
}

class Blobs implements IBlobs {
  blobs(sizes: number[]) {
    const [items, writer] = sequence<Uint8Array>({ capacity: sizes.length });
    for (const [index, size] of sizes.entries()) writer.write(new Uint8Array(size).fill(index % 256));
    void writer.close();
    return items;
  }
}

const mebibyte = 1024 * 1024;

async function readAll(items: Sequence<Uint8Array>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const item of items) {
    // Every byte of item i is i: nothing reordered, merged or cut.
    expect(item.every((byte) => byte === sizes.length % 256)).toBe(true);
    sizes.push(item.byteLength);
  }
  return sizes;
}

describe('sequence batches sized by bytes', () => {
  test('64 items of 1 MiB (64 MiB, past the 16 MiB frame limit in one batch) all arrive', async () => {
    const { remote } = served<IBlobs>(new Blobs());
    const sizes = Array.from({ length: 64 }, () => mebibyte);
    expect(await readAll(await remote.blobs(sizes))).toEqual(sizes);
    remote[Symbol.dispose]();
  }, 30_000);

  test('small items then large ones in one buffered run: a batch over the frame limit goes in halves', async () => {
    // The first batches measure tiny items, so the next takes many items at once, 6 of them 512 KiB
    // each: over the 2 MiB frame limit set here, it is split until each part fits.
    const limits = { limits: { maxFrameBytes: 2 * mebibyte } };
    const { remote } = served<IBlobs>(new Blobs(), { dialer: limits, listener: limits });
    const sizes = [
      ...Array.from({ length: 40 }, () => 8),
      ...Array.from({ length: 6 }, () => mebibyte / 2),
      8,
      8,
    ];
    expect(await readAll(await remote.blobs(sizes))).toEqual(sizes);
    remote[Symbol.dispose]();
  }, 30_000);

  test('one item over the frame limit fails the stream after the items before it arrived', async () => {
    const limits = { limits: { maxFrameBytes: mebibyte } };
    const { remote, listener } = served<IBlobs>(new Blobs(), { dialer: limits, listener: limits });
    const items = await remote.blobs([10, 20, 2 * mebibyte, 30]);
    const received: number[] = [];
    const reading = (async () => {
      for await (const item of items) received.push(item.byteLength);
    })();
    const error = await reading.then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    expect(received).toEqual([10, 20]);
    expect(error?.message).toMatch(/maxFrameBytes.*Bytes stream/);
    expect(listener.isTerminated).toBe(false);
    remote[Symbol.dispose]();
  }, 30_000);

  test('capabilities handed off inside the items of a batch sent in halves arrive working', async () => {
    // The first encoding of the batch fails (over the frame limit); the proxies it named keep their
    // floating reference, so the halves share them intact (before, the failed encoding disposed them).
    const limits = { limits: { maxFrameBytes: 2 * mebibyte } };
    const { remote } = served<IHanded>(new Handed(), { dialer: limits, listener: limits });
    const sizes = [...Array.from({ length: 10 }, () => 8), ...Array.from({ length: 6 }, () => mebibyte / 2)];
    const seen: number[] = [];
    for await (const item of await remote.items(sizes)) {
      expect(item.data.byteLength).toBe(sizes[seen.length]);
      seen.push(await item.counter.get());
      item.counter[Symbol.dispose]();
    }
    expect(seen).toEqual(sizes.map((_, index) => index));
    remote[Symbol.dispose]();
  }, 30_000);
});

interface ICounter {
  get(): Promise<number>;
}

class Counter implements ICounter {
  constructor(readonly value: number) {}
  async get() {
    return this.value;
  }
}

interface IHanded {
  /** Items of `sizes[i]` bytes, each with a handed-off counter answering `i`. */
  items(sizes: number[]): Sequence<{ data: Uint8Array; counter: Proxy<ICounter> }>;
}

class Handed implements IHanded {
  items(sizes: number[]) {
    const [items, writer] = sequence<{ data: Uint8Array; counter: Proxy<ICounter> }>({
      capacity: sizes.length,
    });
    for (const [index, size] of sizes.entries())
      writer.write({ data: new Uint8Array(size), counter: handOff(proxy<ICounter>(new Counter(index))) });
    void writer.close();
    return items;
  }
}
