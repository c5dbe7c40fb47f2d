import { serialize } from 'node:v8';
import { describe, expect, test } from 'vitest';
import {
  Codec,
  ContractRegistry,
  DecodeError,
  EncodeError,
  referenceMarker,
  UnknownContract,
  ValueForm,
} from '../src/index.ts';

// The value form (value-form.ts): what a structured clone carries instead of CBOR. Every value goes
// through a real structured clone here, as it would through a MessagePort.

class Move {
  x = 0;
  y = 0;
}
const registry = new ContractRegistry();
registry.register(Move, { name: 'game.Move', fields: ['x', 'y'] });

function cloned(value: unknown, transfer: ArrayBuffer[] = []): unknown {
  return structuredClone(value, { transfer });
}

function roundTrip(value: unknown, form = new ValueForm({ registry })): unknown {
  const written = form.write(value);
  const read = form.read(cloned(written.value, written.transfer));
  expect(read.bytes).toBe(written.bytes); // writer and reader estimate alike
  return read.value;
}

describe('the value form', () => {
  test('plain data, collections, dates, bigints and typed arrays come back equal', () => {
    const value = {
      text: 'ünïcode ✓',
      list: [1, -0.5, null, undefined, true],
      big: [2n ** 80n, -(2n ** 70n), 5n],
      map: new Map<unknown, unknown>([[{ key: 1 }, new Set(['a'])]]),
      date: new Date(0),
      bytes: new Uint8Array([1, 2, 3]),
      words: new Uint32Array([7, 8]),
      buffer: new Uint8Array([4, 5]).buffer,
      empty: {},
    };
    expect(roundTrip(value)).toEqual(value);
  });

  test('contracts, unknown contracts and errors come back as such', () => {
    const move = Object.assign(new Move(), { x: 1, y: 2 });
    const unknown = new UnknownContract(['game.Other'], { a: 1 });
    const error = Object.assign(new RangeError('bad', { cause: { why: [move] } }), { code: 'E_BAD' });
    const back = roundTrip([move, unknown, error]) as [Move, UnknownContract, RangeError];
    expect(back[0]).toBeInstanceOf(Move);
    expect(back[0]).toEqual(move);
    expect(back[1]).toBeInstanceOf(UnknownContract);
    expect(back[1].fields).toEqual({ a: 1 });
    expect(back[2]).toBeInstanceOf(RangeError);
    expect(back[2]).toMatchObject({ message: 'bad', code: 'E_BAD' });
    expect((back[2].cause as { why: Move[] }).why[0]).toBeInstanceOf(Move);
  });

  test("unknownContracts: 'error' refuses a wholly unknown contract as the Codec does; the default keeps a placeholder", () => {
    const unknown = new UnknownContract(['game.Other'], { a: 1 });
    const strict = new ValueForm({ registry, unknownContracts: 'error' });
    const written = strict.write([unknown]);
    const copy = cloned(written.value);
    expect(() => strict.read(copy)).toThrow(expect.objectContaining({ code: 'unknown-contract' }));
    const codec = new Codec({ registry, unknownContracts: 'error' });
    expect(() => codec.decode(codec.encode([unknown]))).toThrow(
      expect.objectContaining({ code: 'unknown-contract' }),
    );
    // A known contract still reads under 'error'.
    const move = Object.assign(new Move(), { x: 1, y: 2 });
    expect(roundTrip(move, strict)).toBeInstanceOf(Move);
    expect(new ValueForm({ registry }).read(cloned(written.value)).value).toEqual([unknown]);
  });

  test('references go through the hooks after the walk, in value order, and come back through decodeReference', () => {
    const seen: string[] = [];
    const form = new ValueForm<string[]>({
      hooks: {
        encodeReference: (value) => (value as { name: string }).name,
        decodeReference: (descriptor, context) => {
          context.push(descriptor as string);
          return `live ${String(descriptor)}`;
        },
      },
    });
    class Remote {
      readonly [referenceMarker] = true;
      constructor(readonly name: string) {}
    }
    const a = new Remote('a');
    const b = new Remote('b');
    const written = form.write({ first: a, rest: [b] }, seen);
    expect(form.read(cloned(written.value), seen).value).toEqual({ first: 'live a', rest: ['live b'] });
    expect(seen).toEqual(['a', 'b']);
  });

  test('what the codec cannot encode, the value form cannot either, with the same code', () => {
    const codec = new Codec({ registry });
    const form = new ValueForm({ registry });
    class Unregistered {
      field = 1;
    }
    for (const value of [() => 1, Symbol('s'), new Unregistered(), new DataView(new ArrayBuffer(2)), /x/]) {
      const codecError = (() => {
        try {
          codec.encode([value]);
        } catch (error) {
          return error as EncodeError;
        }
      })();
      expect(() => form.write([value])).toThrow(EncodeError);
      try {
        form.write([value]);
      } catch (error) {
        expect((error as EncodeError).code).toBe(codecError?.code);
      }
    }
  });

  test('a value past maxFrameBytes (estimated) is frame-too-large on write', () => {
    const form = new ValueForm({ limits: { maxFrameBytes: 1000 } });
    expect(() => form.write('x'.repeat(2000))).toThrow(expect.objectContaining({ code: 'frame-too-large' }));
  });

  test('a view into a larger buffer is copied (only its bytes travel); a large byte array is transferred, the caller keeps its own', () => {
    const form = new ValueForm();
    const view = new Uint8Array(new ArrayBuffer(1024), 10, 4);
    const written = form.write(view);
    expect((written.value as Uint8Array).buffer.byteLength).toBe(4);
    const large = new Uint8Array(100_000).fill(1);
    const bigWrite = form.write(large);
    expect(bigWrite.transfer).toHaveLength(1);
    cloned(bigWrite.value, bigWrite.transfer);
    expect(large.byteLength).toBe(100_000);
  });

  test('hostile input is refused with a DecodeError naming what was wrong', () => {
    const form = new ValueForm({
      registry,
      limits: { maxDepth: 8, maxRecordKeys: 4, maxCollectionLength: 10 },
    });
    let deep: unknown = 0;
    for (let level = 0; level < 20; level++) deep = [deep];
    const cycle: unknown[] = [];
    cycle.push(cycle);
    const refused: [unknown, string][] = [
      [new Error('raw'), 'malformed'],
      [/x/, 'malformed'],
      [Object(1), 'malformed'],
      [deep, 'too-deep'],
      [cycle, 'malformed'], // the array is met twice
      [{ a: 1, b: 2, c: 3, d: 4, e: 5 }, 'record-too-wide'],
      [new Array(11).fill(0), 'collection-too-long'],
      [new Map(Array.from({ length: 11 }, (_, index) => [index, index])), 'collection-too-long'],
      [[Object(44600), ['game.Move'], ['x', 'y'], 1], 'malformed'],
      [[Object(44600), [['game.Move'], ['x', 'y'], 1]], 'malformed'],
      [[Object(44600), 'not a list'], 'malformed'],
      [[Object(12345), 1], 'unsupported-tag'],
      [[Object(44603), [0, 1]], 'reference-failed'],
      [new Uint8Array(new ArrayBuffer(8), 2, 2), 'malformed'],
      [new DataView(new ArrayBuffer(2)), 'malformed'],
    ];
    for (const [value, code] of refused) {
      expect(() => form.read(value), String(code)).toThrow(DecodeError);
      try {
        form.read(value);
      } catch (error) {
        expect((error as DecodeError).code).toBe(code);
      }
    }
    const strict = new ValueForm({ limits: { maxStringBytes: 10, maxBigIntBytes: 2 } });
    expect(() => strict.read('x'.repeat(11))).toThrow(expect.objectContaining({ code: 'string-too-long' }));
    expect(() => strict.read('€'.repeat(5))).toThrow(expect.objectContaining({ code: 'string-too-long' }));
    expect(() => strict.read(2n ** 100n)).toThrow(expect.objectContaining({ code: 'bigint-too-large' }));
    expect(() => strict.read(['y'.repeat(10)], undefined, 5)).toThrow(
      expect.objectContaining({ code: 'frame-too-large' }),
    );
    if (typeof SharedArrayBuffer === 'function') {
      expect(() => strict.read(new Uint8Array(new SharedArrayBuffer(4)))).toThrow(DecodeError);
      expect(() => strict.read(new SharedArrayBuffer(4))).toThrow(DecodeError);
    }
  });

  test('a read costs in proportion to what arrived: objects met twice and holes are refused', () => {
    const form = new ValueForm({ registry });
    // 22 small arrays, each level pointing twice at the next: a clone of under 500 bytes, which read
    // place by place would be four million arrays (each within every limit).
    let dag: unknown = [0, 0];
    for (let level = 0; level < 21; level++) dag = [dag, dag];
    expect(serialize(dag).length).toBeLessThan(500);
    expect(() => form.read(cloned(dag))).toThrow(
      expect.objectContaining({
        code: 'malformed',
        message: expect.stringContaining('got one in two places'),
      }),
    );
    // Fifteen arrays of a million holes each: a clone of a few bytes each.
    const holes = Array.from({ length: 15 }, () => {
      const array: unknown[] = [];
      array.length = 1 << 20;
      return array;
    });
    expect(serialize(holes).length).toBeLessThan(500);
    expect(() => form.read(cloned(holes))).toThrow(
      expect.objectContaining({
        code: 'malformed',
        message: expect.stringContaining('without holes, got one missing item 0'),
      }),
    );
    // A contract's payload with holes, or with more values than its fields, is refused before its values are read.
    const sparsePayload: unknown[] = [['game.Move'], ['x', 'y']];
    sparsePayload.length = 4;
    expect(() => form.read(cloned([Object(44600), sparsePayload]))).toThrow(
      expect.objectContaining({ code: 'malformed', message: expect.stringContaining('without holes') }),
    );
    const longPayload = [['game.Move'], ['x', 'y'], ...new Array(1000).fill(0)];
    expect(() => form.read(cloned([Object(44600), longPayload]))).toThrow(
      expect.objectContaining({
        code: 'malformed',
        message: 'expected 2 field values for a contract, got 1000',
      }),
    );
    // One object in two messages of a frame: the reads share one set of what they have seen.
    const shared = { score: 1 };
    const [first, second] = cloned([
      [1, shared],
      [2, shared],
    ]) as unknown[];
    const seen = new Set<object>();
    form.read(first, undefined, undefined, seen);
    expect(() => form.read(second, undefined, undefined, seen)).toThrow(
      expect.objectContaining({ code: 'malformed' }),
    );
    // An honest value that repeats an object is written as two copies, and reads back.
    expect(roundTrip([shared, shared, new Move(), new Move()])).toEqual([
      shared,
      shared,
      new Move(),
      new Move(),
    ]);
  });

  test('arrays are written packed, so that the clone takes V8 dense format', () => {
    const written = new ValueForm({ registry }).write([3, 1, 0, 0, 'add', [1, 2], new Move()]);
    const bytes = serialize(written.value);
    // After the version header (0xff, version): 'A', kBeginDenseJSArray ('a' would be the sparse format).
    expect(String.fromCharCode(bytes[2]!)).toBe('A');
  });

  test('__proto__ beside __proto_ reads as CBOR decodes it (the last wins), each value counted once', () => {
    const codec = new Codec({ registry });
    for (const text of [
      `{"__proto__": "${'x'.repeat(100)}", "__proto_": 0}`,
      `{"__proto_": 0, "__proto__": "${'x'.repeat(100)}"}`,
    ]) {
      const value = JSON.parse(text) as object;
      expect(roundTrip(value)).toEqual(codec.decode(codec.encode(value)));
    }
  });

  test('a __proto__ key never reaches a prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const back = new ValueForm().read(cloned(hostile)).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back.__proto_).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
