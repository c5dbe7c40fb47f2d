import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Codec, ContractRegistry, DecodeError } from '../src/index.ts';

class Point {
  x: unknown = 0;
  y: unknown = 0;
}
class Point3 extends Point {
  z: unknown = 0;
}
const registry = new ContractRegistry();
registry.register(Point, { name: 'Point', fields: ['x', 'y'] });
registry.register(Point3, { name: 'Point3', fields: ['z'] });
const codec = new Codec({ registry });

/** -0 is the one number that does not round-trip (cbor-x writes it as the integer 0). */
const number = fc.double().map((value) => (Object.is(value, -0) ? 0 : value));

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    tie('array'),
    tie('object'),
    tie('map'),
    tie('set'),
    tie('contract'),
  ),
  leaf: fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    number,
    fc.integer(),
    fc.bigInt(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.string({ unit: 'binary' }),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array(),
    fc.int32Array(),
    fc.float64Array(),
    fc.bigInt64Array(),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(
    fc.string().filter((key) => key !== '__proto__'),
    tie('value'),
    { maxKeys: 5, noNullPrototype: true },
  ),
  map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((entries) => new Map(entries)),
  set: fc.array(tie('value'), { maxLength: 4 }).map((items) => new Set(items)),
  contract: fc
    .tuple(tie('value'), tie('value'), fc.option(tie('value'), { nil: undefined }), fc.boolean())
    .map(([x, y, z, three]) =>
      three ? Object.assign(new Point3(), { x, y, z }) : Object.assign(new Point(), { x, y }),
    ),
}));

describe('property: round trip', () => {
  test('random values decode to exactly what was encoded', () => {
    fc.assert(
      fc.property(value, (original) => {
        expect(codec.decode(codec.encode(original))).toStrictEqual(original);
      }),
      { numRuns: 500 },
    );
  });
});

function onlyDecodeErrors(bytes: Uint8Array): void {
  try {
    codec.decode(bytes);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
  }
}

describe('property: hostile bytes', () => {
  test('random byte strings never throw anything but DecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), onlyDecodeErrors), { numRuns: 2000 });
  });

  test('random values with flipped, cut or inserted bytes never throw anything but DecodeError', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), byte: fc.constant(0) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(value, fc.array(mutation, { minLength: 1, maxLength: 4 }), (original, mutations) => {
        let bytes = Uint8Array.from(codec.encode(original));
        for (const { kind, at, byte } of mutations) {
          const index = bytes.length === 0 ? 0 : at % bytes.length;
          if (kind === 'flip' && bytes.length > 0) bytes[index] = byte;
          else if (kind === 'cut') bytes = bytes.subarray(0, index);
          else if (kind === 'insert')
            bytes = Uint8Array.from([...bytes.subarray(0, index), byte, ...bytes.subarray(index)]);
        }
        onlyDecodeErrors(bytes);
      }),
      { numRuns: 1500 },
    );
  });
});
