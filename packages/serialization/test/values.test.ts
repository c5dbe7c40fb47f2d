import { describe, expect, test } from 'vitest';
import { Codec, ContractRegistry, EncodeError, registerError } from '../src/index.ts';

const codec = new Codec({ registry: new ContractRegistry() });
const roundTrip = <T>(value: T): T => codec.decode(codec.encode(value)) as T;

describe('plain values', () => {
  test('numbers decode the same from a small heap copy and from a view at an odd offset', () => {
    // The decoder reads 32- and 64-bit fields from the frame's bytes, never through its buffer
    // (which a small typed array has to move off the heap to give): both placements must agree.
    const values = [
      65_536,
      2 ** 32 - 1,
      -65_537,
      -(2 ** 32),
      2 ** 32,
      -(2 ** 32) - 1,
      1.5,
      -0.1,
      Number.MAX_VALUE,
      2n ** 63n,
      -(2n ** 64n),
    ];
    for (const value of values) {
      const encoded = codec.encode(value);
      const small = Uint8Array.from(encoded);
      const host = new Uint8Array(encoded.byteLength + 3);
      host.set(encoded, 3);
      expect(codec.decode(small)).toBe(value);
      expect(codec.decode(host.subarray(3))).toBe(value);
    }
  });

  test('every primitive and undefined round-trips with its type', () => {
    const values = [
      undefined,
      null,
      true,
      false,
      0,
      1,
      -1,
      23,
      24,
      255,
      256,
      65_536,
      2 ** 32,
      -(2 ** 32) - 1,
      2 ** 53 - 1,
      -(2 ** 53),
      1.5,
      -0.1,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      '',
      'héllo',
      '😀 emoji',
      'x'.repeat(70_000),
    ];
    for (const value of values) expect(roundTrip(value)).toBe(value);
    expect(roundTrip(Number.NaN)).toBeNaN();
  });

  test('-0 decodes as 0, as it does through JSON (cbor-x writes it as the integer 0)', () => {
    expect(Object.is(roundTrip(-0), 0)).toBe(true);
  });

  test('bigint keeps its type over the full 64-bit range and beyond', () => {
    const values = [
      0n,
      1n,
      -1n,
      2n ** 63n,
      2n ** 64n - 1n,
      -(2n ** 64n),
      2n ** 64n,
      -(2n ** 64n) - 1n,
      3n ** 200n,
      -(7n ** 300n),
    ];
    for (const value of values) expect(roundTrip(value)).toBe(value);
  });

  test('dates keep their millisecond, before and after the epoch', () => {
    for (const time of [0, 5, 1_700_000_000_000, 1_700_000_000_123, -86_400_001, 8.64e15]) {
      expect(roundTrip(new Date(time)).getTime()).toBe(time);
    }
    expect(roundTrip(new Date(Number.NaN)).getTime()).toBeNaN();
  });

  test('typed arrays keep their class and contents', () => {
    const values = [
      new Uint8Array([1, 2, 3]),
      new Uint8ClampedArray([0, 255]),
      new Int8Array([-1, 1]),
      new Uint16Array([65_535, 1]),
      new Int16Array([-32_768]),
      new Uint32Array([2 ** 32 - 1]),
      new Int32Array([-(2 ** 31)]),
      new Float32Array([1.5, Number.NaN]),
      new Float64Array([Math.PI, -0]),
      new BigInt64Array([-(2n ** 63n)]),
      new BigUint64Array([2n ** 64n - 1n]),
    ];
    for (const value of values) expect(roundTrip(value)).toStrictEqual(value);
  });

  test('a decoded Uint8Array is a view into the frame, not a copy, unless copyBytes is set', () => {
    const bytes = new Uint8Array(1024).fill(7);
    const frame = codec.encode(bytes);
    const view = codec.decode(frame) as Uint8Array;
    expect(view.buffer).toBe(frame.buffer);
    const copy = new Codec({ copyBytes: true }).decode(frame) as Uint8Array;
    expect(copy.buffer).not.toBe(frame.buffer);
    expect(copy).toStrictEqual(bytes);
  });

  test('an ArrayBuffer decodes as an ArrayBuffer of its own', () => {
    const buffer = new Uint8Array([9, 8, 7]).buffer;
    const decoded = roundTrip(buffer);
    expect(decoded).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(decoded)).toStrictEqual(new Uint8Array([9, 8, 7]));
  });

  test('arrays, plain objects, maps with any keys and sets nest freely', () => {
    const value = {
      list: [1, 'two', [3, [4]], { five: 5 }],
      map: new Map<unknown, unknown>([
        [1, 'one'],
        ['1', 'string one'],
        [{ key: true }, new Set([1, 2])],
        [undefined, null],
      ]),
      set: new Set(['a', { b: [1n] }]),
      empty: [{}, [], new Map(), new Set()],
      nullPrototype: Object.assign(Object.create(null), { a: 1 }),
    };
    const decoded = roundTrip(value);
    expect(decoded.list).toStrictEqual(value.list);
    expect(decoded.map).toStrictEqual(value.map);
    expect(decoded.set).toStrictEqual(value.set);
    expect(decoded.empty).toStrictEqual(value.empty);
    expect({ ...decoded.nullPrototype }).toStrictEqual({ a: 1 });
  });

  test('frames are independent: decoding them out of order gives the same values (records are in-band)', () => {
    const frames = [1, 2, 3].map((n) =>
      codec.encode([
        { id: n, name: `player ${n}`, score: n / 2 },
        { id: n + 10, name: 'x', score: 0 },
      ]),
    );
    const other = new Codec();
    expect(other.decode(frames[2]!)).toStrictEqual([
      { id: 3, name: 'player 3', score: 1.5 },
      { id: 13, name: 'x', score: 0 },
    ]);
    expect(other.decode(frames[0]!)).toStrictEqual([
      { id: 1, name: 'player 1', score: 0.5 },
      { id: 11, name: 'x', score: 0 },
    ]);
  });

  test('a codec without records writes CBOR maps, and any codec reads both forms', () => {
    const maps = new Codec({ records: false });
    const value = { id: 1, nested: { a: [1, 2] }, map: new Map([['k', 1]]) };
    expect(codec.decode(maps.encode(value))).toStrictEqual(value);
    expect(maps.decode(codec.encode(value))).toStrictEqual(value);
  });

  test('subclasses of Map and Array are written as plain maps and arrays', () => {
    class Tagged extends Map<string, number> {}
    class List extends Array<number> {}
    expect(roundTrip(new Tagged([['a', 1]]))).toStrictEqual(new Map([['a', 1]]));
    expect(roundTrip(List.from([1, 2]))).toStrictEqual([1, 2]);
  });
});

describe('errors', () => {
  test('an error keeps name, message, code, cause and own properties, but not its stack by default', () => {
    const error = Object.assign(new TypeError('bad input', { cause: new Error('root cause') }), {
      code: 'E_BAD',
      detail: { field: 'x' },
    });
    const decoded = roundTrip(error);
    expect(decoded).toBeInstanceOf(TypeError);
    expect(decoded.name).toBe('TypeError');
    expect(decoded.message).toBe('bad input');
    expect(decoded.code).toBe('E_BAD');
    expect(decoded.detail).toStrictEqual({ field: 'x' });
    expect(decoded.cause).toBeInstanceOf(Error);
    expect((decoded.cause as Error).message).toBe('root cause');
    expect(decoded.stack).toBe('TypeError: bad input');
  });

  test('the stack travels only when the codec is made with errorStacks', () => {
    const error = new Error('with stack');
    const decoded = new Codec({ errorStacks: true }).decode(
      new Codec({ errorStacks: true }).encode(error),
    ) as Error;
    expect(decoded.stack).toBe(error.stack);
  });

  test('a registered error class decodes as an instance of that class; an unknown name is kept on a plain Error', () => {
    class AbortedError extends Error {
      override name = 'AbortedError';
      readonly code = 'aborted';
      isAborted(): boolean {
        return true;
      }
    }
    const registry = new ContractRegistry();
    registerError(AbortedError, { name: 'AbortedError', registry });
    const withClass = new Codec({ registry });
    const decoded = withClass.decode(withClass.encode(new AbortedError('session ended'))) as AbortedError;
    expect(decoded).toBeInstanceOf(AbortedError);
    expect(decoded.isAborted()).toBe(true);
    expect([decoded.name, decoded.message, decoded.code]).toStrictEqual([
      'AbortedError',
      'session ended',
      'aborted',
    ]);

    const unknown = codec.decode(withClass.encode(new AbortedError('session ended'))) as Error & {
      code: string;
    };
    expect(unknown.constructor).toBe(Error);
    expect([unknown.name, unknown.message, unknown.code]).toStrictEqual([
      'AbortedError',
      'session ended',
      'aborted',
    ]);
  });
});

describe('values that cannot be encoded', () => {
  test.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['an unregistered class instance', new (class Unregistered {})()],
    ['a RegExp', /x/],
    ['a Promise', Promise.resolve(1)],
    ['a WeakMap', new WeakMap()],
  ])('%s is an EncodeError unsupported-type', (_name, value) => {
    const thrown = (() => {
      try {
        codec.encode({ nested: [value] });
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(EncodeError);
    expect((thrown as EncodeError).code).toBe('unsupported-type');
  });

  class Account {
    balance = 0;
    deposit(amount: number) {
      this.balance += amount;
    }
  }
  class Point {
    x = 1;
  }
  async function* numbers() {
    yield 1;
  }
  test.each([
    [
      'a function',
      () => 1,
      ['got a function', 'a method of a class', 'proxy() from @msc/eventual', 'by reference'],
    ],
    ['a method in a plain object', { onMove() {} }, ['got a function', 'proxy()']],
    [
      'an instance of a class with methods',
      new Account(),
      [
        'got an instance of Account',
        'has methods',
        'wrap it with proxy()',
        'register its class as a contract',
      ],
    ],
    [
      'an instance of a data class',
      new Point(),
      ['got an instance of Point', 'register its class as a contract'],
    ],
    [
      'a ReadableStream',
      new ReadableStream(),
      ['got an instance of ReadableStream', 'Sequence', 'bytesFrom()'],
    ],
    ['an async generator', numbers(), ['got an async iterable', 'sequence()', 'bytesFrom()']],
    ['a Blob', new Blob(['hi']), ['got an instance of Blob', 'Uint8Array', 'bytesFrom(blob.stream())']],
    ['a URL', new URL('https://example.com/'), ['got an instance of URL', 'pass url.href']],
    ['a Promise', Promise.resolve(1), ['got an instance of Promise', 'await it']],
    ['a symbol', Symbol('s'), ['got a symbol', 'pass a string']],
  ])('%s: the EncodeError says what it got and the fix for its kind', (_name, value, phrases) => {
    let thrown: unknown;
    try {
      codec.encode({ nested: [value] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EncodeError);
    const message = (thrown as EncodeError).message;
    for (const phrase of phrases) expect(message).toContain(phrase);
    expect(message).toMatch(
      /^expected plain data, a registered contract, an Error, a capability or a stream, got /,
    );
  });

  test('only a class with methods is told about proxy(); a stream, Blob or URL is not told to register a contract', () => {
    const messageOf = (value: unknown) => {
      try {
        codec.encode(value);
      } catch (error) {
        // The advice: what follows "got ..." (the start lists what can be encoded).
        return (error as Error).message.split(', got ')[1] ?? '';
      }
      return '';
    };
    expect(messageOf(new Point())).not.toContain('proxy()');
    for (const value of [new ReadableStream(), new Blob([]), new URL('https://example.com/')]) {
      expect(messageOf(value)).not.toContain('contract');
    }
    expect(messageOf(() => 1)).not.toContain('Unknown type');
  });

  test('a cycle is an EncodeError too-deep, and the codec keeps working after it', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => codec.encode(cycle)).toThrow(
      expect.objectContaining({ name: 'EncodeError', code: 'too-deep' }),
    );
    expect(roundTrip({ after: 'cycle' })).toStrictEqual({ after: 'cycle' });
  });

  test('a frame larger than maxFrameBytes is refused on encode, so a peer never receives it', () => {
    const small = new Codec({ limits: { maxFrameBytes: 100 } });
    expect(() => small.encode(new Uint8Array(200))).toThrow(
      expect.objectContaining({ code: 'frame-too-large' }),
    );
  });
});
