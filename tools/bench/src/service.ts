/**
 * The benchmark service every adapter exposes, written once in plain TypeScript. Adapters wrap it in
 * their library's idiom (an `RpcTarget`, a `Far` object, a function table), so the server-side work
 * is the same everywhere.
 */
import type { Item } from './adapter.ts';

/** A counter capability: W3 creates one and increments it. */
export class Counter {
  #value = 0;
  /** Adds one and returns the new value. */
  inc(): number {
    this.#value += 1;
    return this.#value;
  }
}

/** The root operations of the service. */
export const service = {
  /** The trivial call of W1 and W2. */
  add(a: number, b: number): number {
    return a + b;
  },
  /** A fresh counter for W3. */
  getCounter(): Counter {
    return new Counter();
  },
};

/** Makes `count` items with predictable contents (same for every library). */
export function makeItems(count: number): Item[] {
  const items: Item[] = new Array(count);
  for (let index = 0; index < count; index += 1) {
    items[index] = { id: index, name: `player-${index}`, score: index * 1.25 + 0.5 };
  }
  return items;
}

/** Makes `length` bytes with a repeating pattern (so a wrong echo is visible in a check). */
export function makeBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) bytes[index] = index & 0xff;
  return bytes;
}

/** The item the sequence producer of S1 sends at position `index`. */
export function sequenceItem(index: number): Item {
  return { id: index, name: 'tick', score: index * 0.5 };
}

/**
 * Yields the chunks of an S2 byte stream: `totalBytes` in pieces of at most `chunkBytes`. The chunk
 * contents are shared and not meant to be mutated.
 */
export function* byteStreamChunks(totalBytes: number, chunkBytes: number): Generator<Uint8Array> {
  const chunk = makeBytes(chunkBytes);
  for (let sent = 0; sent < totalBytes; sent += chunkBytes) {
    yield sent + chunkBytes <= totalBytes ? chunk : chunk.subarray(0, totalBytes - sent);
  }
}
