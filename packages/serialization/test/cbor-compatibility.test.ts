// The codec's own CBOR writer and reader (`cbor-encoder.ts`, `cbor-decoder.ts`) against cbor-x, which
// the codec used before: plain data is written byte for byte as cbor-x wrote it with the codec's
// options, and what cbor-x writes is read back, so peers of either version understand each other.
import { Decoder, Encoder } from 'cbor-x';
import { describe, expect, test } from 'vitest';
import { Codec, ContractRegistry } from '../src/index.ts';

const codec = new Codec({ registry: new ContractRegistry() });
const mapsCodec = new Codec({ registry: new ContractRegistry(), records: false });
// The options the codec gave cbor-x.
const cborRecords = new Encoder({
  useRecords: true,
  mapsAsObjects: true,
  tagUint8Array: true,
  structuredClone: false,
  useFloat32: 0,
});
const cborDecoder = new Decoder({ mapsAsObjects: true, int64AsNumber: false } as ConstructorParameters<
  typeof Decoder
>[0]);

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const player = (id: number) => ({ id, name: `player-${id}`, score: id * 1.5 + 0.25 });
const values: [string, unknown][] = [
  ['primitives', [undefined, null, true, false, 0, -0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1]],
  [
    'negative and large numbers',
    [-1, -24, -25, -256, -257, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1],
  ],
  ['floats', [1.5, -0.1, Number.MAX_VALUE, Number.MIN_VALUE, Number.POSITIVE_INFINITY, Number.NaN]],
  ['bigints', [0n, 2n ** 64n - 1n, -(2n ** 64n), 2n ** 64n, -(2n ** 64n) - 1n, 3n ** 200n]],
  [
    'strings',
    ['', 'a', 'héllo', '😀 emoji', 'ascii '.repeat(10), 'ünïcode ✓ '.repeat(30), 'x'.repeat(70_000)],
  ],
  ['arrays', [[], [1, [2, [3, []]]], Array.from({ length: 300 }, (_, index) => index)]],
  ['one object', { a: 1, b: 'two', c: [3] }],
  ['objects of one shape', Array.from({ length: 5 }, (_, index) => player(index))],
  ['nested shapes', { outer: { inner: { x: 1 } }, list: [{ x: 2 }, { y: 3 }, { x: 4 }], empty: {} }],
  ['numeric keys', { 2: 'b', 1: 'a', z: 'z' }],
  [
    'maps and sets',
    [
      new Map<unknown, unknown>([
        [1, 'one'],
        ['two', [2]],
        [null, {}],
      ]),
      new Set([1, 'a', [2]]),
    ],
  ],
  ['bytes', [new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7)]],
  ['typed arrays', [new Uint16Array([1, 65_535]), new Int32Array([-1, 5]), new Float64Array([1.5, -2])]],
  // Record ids are recycled after 256 (a definition costs decode work: long values keep the frame within the limits).
  [
    'more than 256 shapes',
    Array.from({ length: 300 }, (_, index) => ({ [`key${index}`]: 'x'.repeat(60), same: index })),
  ],
];

describe('the CBOR writer and reader against cbor-x', () => {
  test.each(values)('%s: written byte for byte as cbor-x writes them', (_, value) => {
    expect(hex(codec.encode(value))).toBe(hex(cborRecords.encode(value)));
  });

  test.each(values)('%s: what cbor-x writes, with or without records, reads back equal', (_, value) => {
    expect(codec.decode(new Uint8Array(cborRecords.encode(value)))).toEqual(
      cborDecoder.decode(cborRecords.encode(value)),
    );
    expect(codec.decode(mapsCodec.encode(value))).toEqual(cborDecoder.decode(mapsCodec.encode(value)));
  });

  test('a record is read by its compiled reader from its third use on, with the same values', () => {
    const players = Array.from({ length: 10 }, (_, index) => player(index));
    expect(codec.decode(codec.encode(players))).toEqual(players);
  });
});
