// Bulk bytes (byte arrays of 32 KiB or more): the writer copies them once, straight into a buffer of
// the frame's exact size, which the frame spans (the caller owns it); every other frame stays a view
// into the shared output buffer. The bytes written are the same either way (checked against cbor-x).
import { describe, expect, test } from 'vitest';
import { Codec, ContractRegistry, EncodeError, type ReferenceHooks } from '../src/index.ts';
import { bulk, pattern, spansItsBuffer } from './fixtures/byte-patterns.ts';
import { codecCompatibleCborX } from './fixtures/cbor-x-encoder.ts';

const codec = new Codec({ registry: new ContractRegistry() });
const cborRecords = codecCompatibleCborX();

describe('bulk bytes', () => {
  test('no frame spans the shared buffer: one that would fill it to its last byte goes to a new buffer', () => {
    // A byte array of 256 bytes up to 64 KiB is its tag (2 bytes), its header (3 bytes) and its bytes.
    // First in this file: the shared buffer is still the first one, of 8 KiB (no frame outgrew it).
    const probe = codec.encode(['probe']);
    const size = probe.buffer.byteLength;
    expect(size).toBeLessThan(bulk);
    const room = size - probe.byteOffset - probe.byteLength;
    const rest = codec.encode(pattern(room - 5, 1)); // would end at the buffer's last byte
    expect(rest.buffer).not.toBe(probe.buffer);
    expect(rest.byteOffset + rest.byteLength).toBeLessThan(rest.buffer.byteLength);
    const fresh = codec.encode(pattern(rest.buffer.byteLength - rest.byteLength - 5, 2));
    expect(spansItsBuffer(fresh)).toBe(false);
    expect(codec.decode(rest)).toStrictEqual(pattern(room - 5, 1));
    expect(codec.decode(fresh)).toStrictEqual(pattern(rest.buffer.byteLength - rest.byteLength - 5, 2));
  });

  test('a frame with a byte array of 32 KiB owns a buffer of exactly its size; one byte less stays in the shared buffer', () => {
    const small = codec.encode([1, 2, pattern(bulk - 1, 1)]);
    expect(spansItsBuffer(small)).toBe(false);
    const large = codec.encode([1, 2, pattern(bulk, 2)]);
    expect(spansItsBuffer(large)).toBe(true);
    // A plain Uint8Array (not Node's Buffer), so that its slice() is a copy the frame's transfer leaves whole.
    expect(Object.getPrototypeOf(large)).toBe(Uint8Array.prototype);
    expect(large.slice().buffer).not.toBe(large.buffer);
    expect(codec.decode(large)).toStrictEqual([1, 2, pattern(bulk, 2)]);
  });

  test('bulk arrays anywhere in a value, several in one frame, are written byte for byte as cbor-x writes them', () => {
    // No plain objects: cbor-x would define a record where the codec writes a map.
    const value = [
      pattern(bulk, 3),
      'between',
      [pattern(100, 4), new Map([['inner', pattern(3 * bulk + 7, 5)]]), 'after'],
      new Float64Array(pattern(8 * bulk, 6).buffer),
      42,
    ];
    const frame = codec.encode(value);
    expect(spansItsBuffer(frame)).toBe(true);
    expect(Buffer.from(frame).equals(cborRecords.encode(value))).toBe(true);
    expect(codec.decode(frame)).toStrictEqual(value);
  });

  test('frames written after a bulk frame are intact, and a bulk frame is never written over', () => {
    const large = codec.encode(['large', pattern(2 * bulk, 7)]);
    const copy = Uint8Array.from(large);
    const smalls = Array.from({ length: 200 }, (_, index) =>
      codec.encode(['small', index, pattern(500, index)]),
    );
    expect(Buffer.from(large).equals(copy)).toBe(true);
    smalls.forEach((frame, index) => {
      expect(codec.decode(frame)).toStrictEqual(['small', index, pattern(500, index)]);
    });
  });

  test('a byte array whose buffer is detached while the value is written is an EncodeError, and the writer goes on', () => {
    const victim = pattern(bulk, 8);
    const value = {
      bytes: victim,
      get later() {
        structuredClone(victim.buffer, { transfer: [victim.buffer] });
        return 1;
      },
    };
    const failure = (() => {
      try {
        codec.encode(value);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(EncodeError);
    expect((failure as Error).message).toMatch(/keep its length/);
    expect(codec.decode(codec.encode(['next', pattern(bulk, 9)]))).toStrictEqual(['next', pattern(bulk, 9)]);
  });

  test('a frame with references and bulk bytes round-trips and spans its buffer', () => {
    class Capability {
      constructor(readonly id: number) {}
    }
    const hooks: ReferenceHooks = {
      isReference: (value) => value instanceof Capability,
      encodeReference: (value) => (value as Capability).id,
      decodeReference: (descriptor) => new Capability(descriptor as number),
    };
    const withHooks = new Codec({ registry: new ContractRegistry(), hooks });
    const value = [new Capability(7), pattern(bulk * 2, 10), 'end'];
    const frame = withHooks.encode(value);
    expect(spansItsBuffer(frame)).toBe(true);
    expect(withHooks.decode(frame)).toStrictEqual(value);
  });

  test('a bulk frame over maxFrameBytes is an EncodeError frame-too-large', () => {
    const limited = new Codec({ registry: new ContractRegistry(), limits: { maxFrameBytes: 64 * 1024 } });
    expect(() => limited.encode([pattern(64 * 1024, 11)])).toThrow(
      expect.objectContaining({ code: 'frame-too-large' }),
    );
    expect(limited.decode(limited.encode([pattern(bulk, 12)]))).toStrictEqual([pattern(bulk, 12)]);
  });

  test('a frame that moves to a new shared buffer after its bulk array keeps the bulk bytes in place', () => {
    // Earlier frames leave the shared buffer's start past 0; what follows the bulk array here is more
    // than the buffer's room, so the frame is moved (start 0 again) before it ends.
    const moving = new Codec({ registry: new ContractRegistry() });
    for (let index = 0; index < 3; index++) moving.encode('x'.repeat(1000));
    const small = Array.from({ length: 40 }, (_, index) => pattern(1000, index));
    const value = [pattern(bulk + 7_232, 13), small, 'y'.repeat(10_000)];
    expect(moving.decode(moving.encode(value))).toStrictEqual(value);
    // And again, now that the buffer has grown: every bulk frame in a row round-trips.
    for (let round = 0; round < 3; round++) {
      moving.encode('z'.repeat(2_000 * (round + 1)));
      expect(moving.decode(moving.encode(value))).toStrictEqual(value);
    }
  });
});
