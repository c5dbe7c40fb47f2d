// Gathered frames (`encodeParts`, for a transport that writes a frame from pieces): the bulk
// pieces of ByteParts, given away by their owner, are left in place; other bulk arrays, only lent,
// are copied once; the writer's own bytes are views of its shared buffer. The pieces joined are the
// very bytes `encode` writes.
import { describe, expect, test } from 'vitest';
import {
  ByteParts,
  Codec,
  ContractRegistry,
  EncodeError,
  encodeParts,
  type ReferenceHooks,
} from '../src/index.ts';
import { bulk, joined, pattern } from './fixtures/byte-patterns.ts';

const codec = new Codec({ registry: new ContractRegistry() });

describe('encodeParts', () => {
  test('a value without bulk ByteParts is the frame encode writes, as one array', () => {
    for (const value of [
      ['call', 1, { a: 'b' }],
      ['items', 2, pattern(3 * bulk, 1)],
      ['items', 3, new ByteParts([pattern(100, 2)])],
    ]) {
      const frame = encodeParts(codec, value);
      expect(frame).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(frame as Uint8Array).equals(codec.encode(value))).toBe(true);
    }
  });

  test('bulk ByteParts are left in place: the frame comes back as pieces whose join is what encode writes', () => {
    const given = [pattern(bulk, 3), pattern(100, 4), pattern(2 * bulk + 5, 5)];
    const value = ['items', 7, new ByteParts(given), 'after'];
    const frame = encodeParts(codec, value);
    expect(frame).toBeInstanceOf(ByteParts);
    const pieces = (frame as ByteParts).parts;
    // The caller's very arrays, not copies of them, between the writer's own bytes.
    for (const piece of given) expect(pieces).toContain(piece);
    expect(pieces.length).toBe(given.length + 2);
    expect(Buffer.from(joined(pieces)).equals(codec.encode(value))).toBe(true);
    expect((frame as ByteParts).byteLength).toBe(codec.encode(value).byteLength);
    expect(codec.decode(joined(pieces))).toStrictEqual(['items', 7, joined(given), 'after']);
  });

  test('a lent bulk array beside given pieces is copied as it is at the call: changing it after changes nothing sent', () => {
    const lent = pattern(bulk, 6);
    const given = pattern(bulk, 7);
    const frame = encodeParts(codec, [lent, new ByteParts([given])]) as ByteParts;
    expect(frame.parts).not.toContain(lent);
    expect(frame.parts).toContain(given);
    lent.fill(0);
    expect(codec.decode(joined(frame.parts))).toStrictEqual([pattern(bulk, 6), pattern(bulk, 7)]);
  });

  test('the writer never writes over its pieces: frames encoded after a gathered one leave it intact', () => {
    const frame = encodeParts(codec, ['items', 1, new ByteParts([pattern(bulk, 8)]), 'tail']) as ByteParts;
    const before = joined(frame.parts);
    for (let index = 0; index < 300; index++) codec.encode(['small', index, pattern(700, index)]);
    encodeParts(codec, ['items', 2, new ByteParts([pattern(bulk, 9)])]);
    expect(Buffer.from(joined(frame.parts)).equals(before)).toBe(true);
  });

  test('a frame that moves to a new shared buffer after its given pieces comes back whole', () => {
    // The writer's shared buffer is the module's: what follows the given piece here (2 MB) is more than
    // any frame of these tests left room for, so the frame moves to a new buffer after the piece.
    const before = codec.encode('probe').buffer;
    const given = pattern(bulk + 7_232, 15);
    const value = ['items', new ByteParts([given]), 'y'.repeat(2_000_000)];
    const frame = encodeParts(codec, value) as ByteParts;
    const [head, piece, tail] = frame.parts as [Uint8Array, Uint8Array, Uint8Array];
    expect(piece).toBe(given);
    expect(head.buffer).not.toBe(before);
    expect(tail.buffer).toBe(head.buffer);
    expect(codec.decode(joined(frame.parts))).toStrictEqual(['items', given, 'y'.repeat(2_000_000)]);
  });

  test('a frame with by-reference values is joined whole (its descriptors go first)', () => {
    class Handle {}
    const hooks: ReferenceHooks<undefined> = {
      isReference: (value) => value instanceof Handle,
      encodeReference: () => ['handle', 1],
      decodeReference: (descriptor) => descriptor,
    };
    const withReferences = new Codec({ registry: new ContractRegistry(), hooks });
    const value = [new Handle(), new ByteParts([pattern(bulk, 10)])];
    const frame = encodeParts(withReferences, value);
    expect(frame).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(frame as Uint8Array).equals(withReferences.encode(value))).toBe(true);
  });

  test('the frame limit counts the pieces: a gathered frame over maxFrameBytes is a frame-too-large EncodeError', () => {
    const small = new Codec({ registry: new ContractRegistry(), limits: { maxFrameBytes: bulk + 100 } });
    expect(() => encodeParts(small, ['items', new ByteParts([pattern(bulk + 100, 11)])])).toThrow(
      expect.objectContaining({ code: 'frame-too-large' }),
    );
    const fits = encodeParts(small, ['items', new ByteParts([pattern(bulk, 12)])]) as ByteParts;
    expect(small.decode(joined(fits.parts))).toStrictEqual(['items', pattern(bulk, 12)]);
  });

  test('a piece whose buffer is detached while the value is written is an EncodeError, and the writer goes on', () => {
    const victim = pattern(bulk, 13);
    const value = {
      bytes: new ByteParts([victim]),
      get later() {
        structuredClone(victim.buffer, { transfer: [victim.buffer] });
        return 1;
      },
    };
    expect(() => encodeParts(codec, value)).toThrow(EncodeError);
    const next = encodeParts(codec, ['items', new ByteParts([pattern(bulk, 14)])]) as ByteParts;
    expect(codec.decode(joined(next.parts))).toStrictEqual(['items', pattern(bulk, 14)]);
  });
});
