import { describe, expect, test } from 'vitest';
import { Codec, ContractRegistry, DecodeError, type DecodeErrorCode } from '../src/index.ts';

const codec = new Codec();

function decodeFails(bytes: Uint8Array, code: DecodeErrorCode, with_: Codec = codec): void {
  let thrown: unknown;
  try {
    with_.decode(bytes);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DecodeError);
  expect((thrown as DecodeError).code).toBe(code);
}

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));

describe('decode limits', () => {
  test('a frame larger than maxFrameBytes is frame-too-large', () => {
    decodeFails(
      new Codec().encode('x'.repeat(200)),
      'frame-too-large',
      new Codec({ limits: { maxFrameBytes: 100 } }),
    );
  });

  test('nesting deeper than maxDepth is too-deep, even when the stack could never hold it', () => {
    const deep = new Uint8Array(1_000_001).fill(0x81); // one million nested one-item arrays
    deep[deep.length - 1] = 0x00;
    decodeFails(
      deep,
      'too-deep',
      // The work budget would refuse this frame too (5 units per byte); raise it to reach the depth check.
      new Codec({ limits: { maxDepth: 10_000_000, maxFrameBytes: 2_000_000, maxWorkPerByte: 10 } }),
    );
    decodeFails(deep.subarray(deep.length - 201), 'too-deep');
    const tags = Uint8Array.from(Buffer.from('d9ae3a'.repeat(1000), 'hex')); // error tag inside error tag ...
    decodeFails(tags, 'too-deep');
  });

  test('a value just inside maxDepth decodes', () => {
    let value: unknown = 0;
    for (let depth = 0; depth < 128; depth++) value = [value];
    expect(codec.decode(codec.encode(value))).toStrictEqual(value);
  });

  test('a text string longer than maxStringBytes is string-too-long', () => {
    decodeFails(
      codec.encode('y'.repeat(101)),
      'string-too-long',
      new Codec({ limits: { maxStringBytes: 100 } }),
    );
  });

  test('an array, set or map longer than maxCollectionLength is collection-too-long', () => {
    const small = new Codec({ limits: { maxCollectionLength: 10 } });
    decodeFails(codec.encode(new Array(11).fill(0)), 'collection-too-long', small);
    decodeFails(
      codec.encode(new Set(Array.from({ length: 11 }, (_, index) => index))),
      'collection-too-long',
      small,
    );
    decodeFails(
      codec.encode(new Map(Array.from({ length: 11 }, (_, index) => [index, index]))),
      'collection-too-long',
      small,
    );
    // A header claiming four billion items is refused before anything is allocated.
    decodeFails(hex('9a ffffffff 00'), 'collection-too-long');
  });

  test('a bignum longer than maxBigIntBytes is bigint-too-large', () => {
    decodeFails(codec.encode(2n ** 1000n), 'bigint-too-large', new Codec({ limits: { maxBigIntBytes: 64 } }));
  });

  test('truncated frames, stray breaks, trailing bytes and foreign tags are typed errors', () => {
    decodeFails(new Uint8Array(), 'truncated');
    decodeFails(codec.encode({ a: 'text' }).subarray(0, 5), 'truncated');
    decodeFails(hex('ff'), 'malformed');
    decodeFails(hex('9f 01 ff'), 'malformed'); // indefinite lengths are never written
    decodeFails(hex('01 02'), 'malformed');
    decodeFails(hex('d8 1b 82 66 526567457870 61 78'), 'unsupported-tag'); // tag 27: cbor-x's RegExp/Error constructor call
    decodeFails(hex('d8 1c 80'), 'unsupported-tag'); // tag 28: shared values (cycles)
    decodeFails(hex('d9 e000 80'), 'malformed'); // a record used before its definition
    decodeFails(hex('e0'), 'unsupported-tag'); // simple value 0
    // The writer writes every float in 64 bits: half and single floats and one-byte simple values are refused.
    decodeFails(hex('f9 3c00'), 'unsupported-tag');
    decodeFails(hex('fa 3fc00000'), 'unsupported-tag');
    decodeFails(hex('f8 14'), 'unsupported-tag');
    expect(codec.decode(hex('fb 3ff8000000000000'))).toBe(1.5);
  });

  test('limits must be positive integers', () => {
    expect(() => new Codec({ limits: { maxDepth: 0 } })).toThrow(RangeError);
  });
});

describe('hostile keys', () => {
  test('__proto__, constructor and prototype keys never reach a prototype', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).length;
    // A map {"__proto__": {"polluted": true}} and {"constructor": {"prototype": {"polluted": true}}}.
    const protoKey = hex('a1 69 5f5f70726f746f5f5f a1 68 706f6c6c75746564 f5');
    const constructorKey = hex(
      'a1 6b 636f6e7374727563746f72 a1 69 70726f746f74797065 a1 68 706f6c6c75746564 f5',
    );
    const decoded = codec.decode(protoKey) as Record<string, unknown>;
    codec.decode(constructorKey);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).length).toBe(before);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  test('an object own __proto__ key is renamed by decoding rather than setting the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const decoded = codec.decode(codec.encode(value)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a contract field the reader does not declare (here __pr) is never assigned', () => {
    class Point {
      x = 0;
    }
    const writerRegistry = new ContractRegistry();
    // A hostile writer's contract sends a field the reader never declared.
    class Hostile {
      x = 1;
      evil = { polluted: true };
    }
    writerRegistry.register(Hostile, { name: 'Point', fields: ['x', 'evil'] });
    const frame = new Codec({ registry: writerRegistry }).encode(new Hostile());
    // Patch the field name in place (same length) to one that looks like a prototype key.
    const patched = Uint8Array.from(frame);
    const at = Buffer.from(patched).indexOf('evil');
    patched.set(Buffer.from('__pr'), at);
    const readerRegistry = new ContractRegistry();
    readerRegistry.register(Point, { name: 'Point', fields: ['x'] });
    const decoded = new Codec({ registry: readerRegistry }).decode(patched) as Point;
    expect(decoded).toBeInstanceOf(Point);
    expect(Object.keys(decoded)).toStrictEqual(['x']);
  });
});
