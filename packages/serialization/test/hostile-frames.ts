// Hand-built frames a hostile peer could send: what no encoder of ours writes, but the decoder's check must
// price and refuse before cbor-x builds anything. Each builder writes CBOR byte by byte.

import { recordDefinitionTag, recordTagFirst } from '../src/wire-tags.ts';

/** Appends CBOR items to a growing buffer. */
export class FrameWriter {
  #bytes = new Uint8Array(1024);
  #length = 0;

  /** A header of major type `major` with argument `argument` (at most 2^32 - 1). */
  header(major: number, argument: number): this {
    const type = major << 5;
    if (argument < 24) return this.raw(type | argument);
    if (argument < 0x100) return this.raw(type | 24, argument);
    if (argument < 0x10000) return this.raw(type | 25, argument >> 8, argument & 0xff);
    return this.raw(
      type | 26,
      (argument >>> 24) & 0xff,
      (argument >> 16) & 0xff,
      (argument >> 8) & 0xff,
      argument & 0xff,
    );
  }

  array(length: number): this {
    return this.header(4, length);
  }

  map(entries: number): this {
    return this.header(5, entries);
  }

  tag(tag: number): this {
    return this.header(6, tag);
  }

  unsigned(value: number): this {
    return this.header(0, value);
  }

  text(value: string): this {
    const bytes = Buffer.from(value);
    this.header(3, bytes.length);
    this.#reserve(bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
    return this;
  }

  raw(...bytes: number[]): this {
    this.#reserve(bytes.length);
    for (const byte of bytes) this.#bytes[this.#length++] = byte;
    return this;
  }

  /** `count` copies of `byte`. */
  fill(byte: number, count: number): this {
    this.#reserve(count);
    this.#bytes.fill(byte, this.#length, this.#length + count);
    this.#length += count;
    return this;
  }

  /** A cbor-x inline record definition of record `id` (0-255) with `keys` and `values.length` small-integer values. */
  recordDefinition(id: number, keys: readonly string[], value = 0): this {
    this.tag(recordDefinitionTag)
      .array(2 + keys.length)
      .unsigned(recordTagFirst + id)
      .array(keys.length);
    for (const key of keys) this.text(key);
    return this.fill(value, keys.length);
  }

  /** A use of record `id` (0-255) with `count` small-integer values. */
  recordUse(id: number, count: number, value = 0): this {
    return this.tag(recordTagFirst + id)
      .array(count)
      .fill(value, count);
  }

  get length(): number {
    return this.#length;
  }

  done(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }

  #reserve(more: number): void {
    if (this.#length + more <= this.#bytes.length) return;
    const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + more));
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
  }
}

/** `count` distinct key names, `prefix` first. */
export function keyNames(count: number, prefix = 'k'): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index.toString(36)}`);
}

/**
 * About `bytes` bytes of empty arrays: `[[[], [], ... 23 of them], ...]`, so no array is longer than
 * the default `maxCollectionLength`.
 */
export function emptyArraysFrame(bytes: number): Uint8Array {
  const perGroup = 23;
  const groups = Math.floor((bytes - 5) / (perGroup + 1));
  const writer = new FrameWriter().array(groups);
  for (let group = 0; group < groups; group++) writer.array(perGroup).fill(0x80, perGroup);
  return writer.done();
}
