// ByteParts: a byte string given in pieces goes on the wire as the one Uint8Array they make up, each
// piece copied once (straight into the frame, or into the value form's one array), never joined first.
import { describe, expect, test } from 'vitest';
import { ByteParts, Codec, ContractRegistry, ValueForm } from '../src/index.ts';
import { bulk, joined, pattern, spansItsBuffer } from './fixtures/byte-patterns.ts';

const codec = new Codec({ registry: new ContractRegistry() });

describe('ByteParts', () => {
  test('small pieces are written byte for byte as the array they make up, and read back as one Uint8Array', () => {
    const parts = [pattern(10, 1), pattern(0, 2), pattern(300, 3), pattern(5, 4)];
    const frame = codec.encode(['items', 7, new ByteParts(parts)]);
    expect(Buffer.from(frame).equals(codec.encode(['items', 7, joined(parts)]))).toBe(true);
    const [, , bytes] = codec.decode(frame) as [string, number, Uint8Array];
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes).toStrictEqual(joined(parts));
  });

  test('pieces that add up to bulk bytes make a frame of its own buffer, whatever their sizes, views included', () => {
    const backing = pattern(3 * bulk, 5);
    const parts = [pattern(100, 6), backing.subarray(10, 10 + 2 * bulk), pattern(bulk - 1, 7), pattern(1, 8)];
    const value = ['items', 9, new ByteParts(parts), 'after'];
    const frame = codec.encode(value);
    expect(spansItsBuffer(frame)).toBe(true);
    expect(Buffer.from(frame).equals(codec.encode(['items', 9, joined(parts), 'after']))).toBe(true);
    const decoded = codec.decode(frame) as [string, number, Uint8Array, string];
    expect([decoded[0], decoded[1], decoded[3]]).toStrictEqual(['items', 9, 'after']);
    expect(Buffer.from(decoded[2]).equals(joined(parts))).toBe(true);
    // The pieces were read, not taken: the caller's bytes are as they were.
    expect(Buffer.from(backing).equals(pattern(3 * bulk, 5))).toBe(true);
  });

  test('no pieces make an empty byte string; byteLength sums the pieces', () => {
    expect(codec.decode(codec.encode(new ByteParts([])))).toStrictEqual(new Uint8Array(0));
    expect(new ByteParts([pattern(3, 0), pattern(4, 0)]).byteLength).toBe(7);
  });

  test('a piece that is not a Uint8Array is a TypeError at construction', () => {
    expect(() => new ByteParts([pattern(3, 0), 'text' as unknown as Uint8Array])).toThrow(
      /ByteParts needs Uint8Array pieces, got string/,
    );
  });

  test('the value form carries the joined array, transferred when large, and its estimate matches the reader', () => {
    const form = new ValueForm({ registry: new ContractRegistry() });
    const parts = [pattern(40 * 1024, 1), pattern(40 * 1024, 2)];
    const written = form.write(['items', 1, new ByteParts(parts)]);
    expect(written.transfer).toHaveLength(1);
    const read = form.read(structuredClone(written.value, { transfer: written.transfer }));
    expect(read.bytes).toBe(written.bytes);
    const [kind, id, bytes] = read.value as [string, number, Uint8Array];
    expect([kind, id]).toStrictEqual(['items', 1]);
    expect(Buffer.from(bytes).equals(joined(parts))).toBe(true);
    expect(parts[0]!.byteLength).toBe(40 * 1024); // the caller's pieces were copied, not moved
  });
});
