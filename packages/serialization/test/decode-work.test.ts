import { describe, expect, test } from 'vitest';
import {
  Codec,
  DecodeBudget,
  DecodeError,
  type DecodeErrorCode,
  decodeLimitCodes,
  decodeWorkAllowance,
  decodeWorkCosts,
  handshakeDecodeBudget,
  handshakeDecodeLimits,
} from '../src/index.ts';
import { emptyArraysFrame, FrameWriter, keyNames } from './hostile-frames.ts';

const codec = new Codec();
const costs = decodeWorkCosts;

function decodeError(bytes: Uint8Array, with_: Codec = codec, budget?: DecodeBudget): DecodeError {
  try {
    with_.decode(bytes, undefined, budget);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return error as DecodeError;
  }
  throw new Error('expected decode to throw a DecodeError, it returned');
}

function decodeFails(bytes: Uint8Array, code: DecodeErrorCode, with_: Codec = codec): DecodeError {
  const error = decodeError(bytes, with_);
  expect(error.code, error.message).toBe(code);
  return error;
}

/** The work units a frame costs, read from a budget it is charged to. */
function workOf(bytes: Uint8Array, with_: Codec = codec): number {
  const budget = new DecodeBudget({ work: Number.MAX_SAFE_INTEGER, recordDefinitions: 1_000_000 });
  with_.decode(bytes, undefined, budget);
  return Number.MAX_SAFE_INTEGER - budget.remainingWork;
}

const gc = (globalThis as { gc?: () => void }).gc;
function collect(): void {
  if (gc === undefined) throw new Error('run the tests with --expose-gc');
  gc();
  gc();
}

/** Heap the decoded value keeps, per byte of its frame (the value is alive when measured). */
function retainedHeapPerByte(bytes: Uint8Array, with_: Codec = codec): number {
  collect();
  const before = process.memoryUsage().heapUsed;
  const value = with_.decode(bytes);
  collect();
  const after = process.memoryUsage().heapUsed;
  expect(value).toBeDefined();
  return (after - before) / bytes.length;
}

/** Heap allocated (garbage included) while a frame is refused, in bytes. */
function heapWhileRefusing(bytes: Uint8Array, code: DecodeErrorCode, with_: Codec = codec): number {
  collect();
  const before = process.memoryUsage().heapUsed;
  decodeFails(bytes, code, with_);
  return process.memoryUsage().heapUsed - before;
}

describe('record bounds', () => {
  test('a record with 300 000 keys is record-too-wide, refused at its header before a key is read', () => {
    const frame = new FrameWriter().array(1).recordDefinition(0, keyNames(300_000)).done();
    expect(frame.length).toBeGreaterThan(1_500_000);
    const error = decodeFails(frame, 'record-too-wide');
    expect(error.message).toMatch(/at most 4096 keys \(limits\.maxRecordKeys\), got 300000 at byte \d\b/);
    expect(error.message).toContain('send a Map');
    expect(heapWhileRefusing(frame, 'record-too-wide')).toBeLessThan(1024 * 1024);
  });

  test('a map of 300 000 keys read as an object is record-too-wide too, refused at its header; as a Map it is read', () => {
    const writer = new FrameWriter().array(1).map(300_000);
    for (const key of keyNames(300_000)) writer.text(key).unsigned(0);
    const frame = writer.done();
    const error = decodeFails(frame, 'record-too-wide');
    expect(error.message).toMatch(
      /an object of at most 4096 keys \(limits\.maxRecordKeys\), got 300000 at byte 1\b/,
    );
    expect(error.message).toContain('send a Map');
    expect(heapWhileRefusing(frame, 'record-too-wide')).toBeLessThan(1024 * 1024);
    // What the error says to do: a Map of as many entries is read (one hash insert each).
    const dictionary = new Map(keyNames(300_000).map((key) => [key, 0]));
    expect((codec.decode(codec.encode(dictionary)) as Map<string, number>).size).toBe(300_000);
    // An object of a few keys more than the limit is refused however it is written.
    const wide = Object.fromEntries(keyNames(4097).map((key) => [key, 0]));
    expect(decodeFails(codec.encode(wide), 'record-too-wide').message).toContain('got 4097');
  });

  test('where maxRecordKeys allows 300 000 keys, using the record three times (cbor-x compiles a reader then) is work-exceeded', () => {
    const keys = keyNames(300_000);
    const writer = new FrameWriter().array(4).recordDefinition(0, keys);
    for (let use = 0; use < 3; use++) writer.recordUse(0, keys.length);
    const frame = writer.done();
    const wide = new Codec({ limits: { maxRecordKeys: 300_000 } });
    decodeFails(frame, 'work-exceeded', wide);
    expect(heapWhileRefusing(frame, 'work-exceeded', wide)).toBeLessThan(1024 * 1024);
  });

  test('a record of 4 000 realistic keys, defined and used once, decodes', () => {
    const keys = Array.from({ length: 4000 }, (_, index) => `player-${index}`);
    const frame = new FrameWriter().array(2).recordDefinition(0, keys).recordUse(0, keys.length).done();
    expect(Object.keys((codec.decode(frame) as object[])[1]!)).toHaveLength(4000);
  });

  test('10 000 record definitions in one frame are too-many-records', () => {
    const definitions = (key: (index: number) => string): Uint8Array => {
      const writer = new FrameWriter().array(10_000);
      for (let index = 0; index < 10_000; index++) writer.recordDefinition(index % 256, [key(index)]);
      return writer.done();
    };
    const frame = definitions((index) => `definition ${index}, with a name long enough to pay its way`);
    const error = decodeFails(frame, 'too-many-records');
    expect(error.message).toContain('limits.maxRecordDefinitions');
    expect(heapWhileRefusing(frame, 'too-many-records')).toBeLessThan(1024 * 1024);
    // With short keys they cost more than the frame's budget, whatever the count allows.
    decodeFails(
      definitions((index) => `d${index}`),
      'work-exceeded',
      new Codec({ limits: { maxRecordDefinitions: 10_000 } }),
    );
  });

  test('4 096 records each defined and used three times cost what compiling them costs: work-exceeded', () => {
    const writer = new FrameWriter().array(4096);
    for (let index = 0; index < 4096; index++) {
      const keys = keyNames(16, `r${index}_`);
      writer.array(4).recordDefinition(index % 256, keys);
      for (let use = 0; use < 3; use++) writer.recordUse(index % 256, keys.length);
    }
    decodeFails(writer.done(), 'work-exceeded');
  });

  test('record definitions do not outlive their frame: the decoder holds nothing after 50 frames of 4 000', () => {
    const frames = Array.from({ length: 50 }, (_, frame) => {
      const writer = new FrameWriter().array(4000);
      for (let index = 0; index < 4000; index++) {
        writer.recordDefinition(index % 256, [
          `frame ${frame} record ${index} with a long key name to pay for it`,
        ]);
      }
      return writer.done();
    });
    codec.decode(frames[0]!);
    collect();
    const before = process.memoryUsage().heapUsed;
    for (const frame of frames) codec.decode(frame);
    collect();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2 * 1024 * 1024);
    // A record defined in one frame is unknown in the next.
    decodeFails(new FrameWriter().recordUse(0, 1).done(), 'malformed');
  });
});

describe('the work budget', () => {
  test('one 14 MB frame of empty arrays is work-exceeded before anything is built', () => {
    const frame = emptyArraysFrame(14_000_000);
    const error = decodeFails(frame, 'work-exceeded');
    expect(error.message).toContain('limits.maxWorkPerByte');
    // cbor-x would build about 580 MB here; the check allocates nothing.
    expect(heapWhileRefusing(frame, 'work-exceeded')).toBeLessThan(1024 * 1024);
  });

  test('a frame of 14 million empty arrays in one array is refused too, with a higher maxCollectionLength', () => {
    const frame = new FrameWriter().array(14_000_000).fill(0x80, 14_000_000).done();
    decodeFails(frame, 'work-exceeded', new Codec({ limits: { maxCollectionLength: 2 ** 30 - 1 } }));
  });

  test('plain objects written as maps pay per key; a million single-key objects with distinct keys are refused', () => {
    const writer = new FrameWriter().array(1_000_000);
    for (let index = 0; index < 1_000_000; index++) writer.map(1).text(index.toString(36)).unsigned(0);
    decodeFails(writer.done(), 'work-exceeded');
  });

  test('10 000 {id, name, score} cost their bytes, one container each and one record definition: about 1.15 units per byte', () => {
    // The first is a map (one container and three keys), the second defines the record, the rest use it.
    const players = Array.from({ length: 10_000 }, (_, index) => ({
      id: index,
      name: `player-${index}`,
      score: index * 1.5 + 0.25,
    }));
    const frame = codec.encode(players).slice();
    const definition =
      costs.tag + costs.container + costs.recordDefinition + 3 * costs.recordKey + costs.container; // tag, [id, keys, ...values], keys
    const compile = costs.recordCompile + 3 * costs.recordCompileKey; // on the third use
    const first = costs.container + 3 * costs.objectKey;
    const expected = frame.length + costs.container + first + definition + 9_998 * costs.container + compile;
    expect(workOf(frame)).toBe(expected);
    expect(expected / frame.length).toBeLessThan(1.2);
    // As maps (records: false), the same data pays per key and still fits with room to spare.
    const maps = new Codec({ records: false }).encode(players).slice();
    expect(workOf(maps) / maps.length).toBeLessThan(2.5);
  });

  test('a call message costs its bytes and one container per array', () => {
    const frame = codec.encode([7, 'call', 42, 'move', [3, 4]]);
    expect(workOf(frame)).toBe(frame.length + 2 * costs.container);
  });

  test('dense legitimate shapes decode: a million [x, y] pairs of small integers, nested Sets, typed arrays', () => {
    const pairs = Array.from({ length: 1_000_000 }, (_, index) => [index & 15, 3]);
    expect((codec.decode(codec.encode(pairs)) as unknown[]).length).toBe(1_000_000);
    const mixed = Array.from({ length: 10_000 }, (_, index) => ({
      at: new Date(index),
      tags: new Set([`t${index}`]),
      samples: new Float32Array([index, index + 1]),
    }));
    expect(codec.decode(codec.encode(mixed))).toStrictEqual(mixed);
  });

  test('every frame, however small, may spend the allowance', () => {
    const frame = codec.encode([[], [], [], []]);
    expect(workOf(frame)).toBe(frame.length + 5 * costs.container);
    expect(workOf(frame)).toBeLessThan(decodeWorkAllowance);
  });

  test('heap kept per input byte stays bounded for the densest shapes the budget admits', () => {
    // The shapes that build the most per byte, each just within the budget of 3 units per byte.
    const writer = (build: (writer: FrameWriter) => void, count: number, items = 1): Uint8Array => {
      const frame = new FrameWriter().array(count * items);
      for (let index = 0; index < count; index++) build(frame);
      return frame.done();
    };
    const shapes: Record<string, Uint8Array> = {
      'pairs of small integers': writer((frame) => frame.array(2).raw(1, 2), 200_000),
      'an empty array and an integer': writer((frame) => frame.raw(0x80, 0x00), 200_000, 2),
      'an empty array and a short text': writer((frame) => frame.raw(0x80).text('ab'), 200_000, 2),
      'empty Set and 11 integers': writer((frame) => frame.tag(258).array(0).fill(0, 11), 50_000, 12),
      'empty Uint8Array view and 7 integers': writer(
        (frame) => frame.tag(64).raw(0x40).fill(0, 7),
        50_000,
        8,
      ),
      'a date': writer((frame) => frame.tag(44607).unsigned(1000), 200_000),
      'a record of 1000 keys used 500 times': (() => {
        const keys = keyNames(1000);
        const frame = new FrameWriter().array(501).recordDefinition(0, keys);
        for (let use = 0; use < 500; use++) frame.recordUse(0, keys.length);
        return frame.done();
      })(),
      'objects as maps with one repeated short key': writer(
        (frame) => frame.map(1).text('abcdefgh').unsigned(1),
        100_000,
      ),
    };
    const measured: Record<string, number> = {};
    for (const [name, frame] of Object.entries(shapes)) {
      expect(workOf(frame), name).toBeLessThanOrEqual(3 * frame.length + decodeWorkAllowance);
      measured[name] = Math.round(retainedHeapPerByte(frame) * 10) / 10;
    }
    // About 8 heap bytes per work unit: the budget of 3 units per byte keeps heap under 32 bytes per
    // input byte (a frame of empty arrays, refused, would keep 41).
    for (const [name, perByte] of Object.entries(measured))
      expect(perByte, `${name}: ${perByte} B/B`).toBeLessThan(32);
  });
});

describe('deep nesting', () => {
  test('values nested deeper than maxDepth through records, Sets and maps are too-deep', () => {
    let value: unknown = 0;
    for (let depth = 0; depth < 100; depth++) value = { inner: value };
    decodeFails(codec.encode(value), 'too-deep', new Codec({ limits: { maxDepth: 64 } }));
    let set: unknown = 0;
    for (let depth = 0; depth < 70; depth++) set = new Set([set]);
    decodeFails(codec.encode(set), 'too-deep'); // a Set is two levels: its tag and its array
    let map: unknown = 0;
    for (let depth = 0; depth < 70; depth++) map = new Map([[0, map]]);
    decodeFails(codec.encode(map), 'too-deep');
  });

  test('a 14 MB frame nested one array inside the next is too-deep at byte 128, nothing built', () => {
    const frame = new Uint8Array(14_000_000).fill(0x81);
    frame[frame.length - 1] = 0;
    const error = decodeFails(frame, 'too-deep');
    expect(error.message).toContain('at byte 128');
    expect(heapWhileRefusing(frame, 'too-deep')).toBeLessThan(1024 * 1024);
  });
});

describe('budgets across frames', () => {
  test('a DecodeBudget is charged per frame and refuses the frame that would overdraw it, charging nothing', () => {
    // Two objects of one shape: one record definition per frame.
    const frame = codec.encode([
      { name: 'hello', values: [1, 2, 3] },
      { name: 'again', values: [] },
    ]);
    const cost = workOf(frame);
    const budget = new DecodeBudget({ work: cost * 2 + 1, recordDefinitions: 10 });
    codec.decode(frame, undefined, budget);
    codec.decode(frame, undefined, budget);
    expect(budget.remainingWork).toBe(1);
    expect(budget.remainingRecordDefinitions).toBe(8);
    const error = decodeError(frame, codec, budget);
    expect(error.code).toBe('budget-exhausted');
    expect(budget.remainingWork).toBe(1);
  });

  test('a DecodeBudget bounds record definitions across frames', () => {
    const budget = new DecodeBudget({ work: 1_000_000, recordDefinitions: 3 });
    const frame = codec.encode([{ a: 1 }, { a: 2 }, { b: 3 }, { b: 4 }]); // two definitions
    codec.decode(frame, undefined, budget);
    expect(decodeError(frame, codec, budget).code).toBe('budget-exhausted');
    expect(() => new DecodeBudget({ work: -1, recordDefinitions: 0 })).toThrow(RangeError);
  });

  test('the handshake preset refuses what an anonymous peer has no need to send', () => {
    const strict = new Codec({ limits: handshakeDecodeLimits });
    const hello = { version: 1, name: 'alice', key: new Uint8Array(32), nonce: new Uint8Array(16) };
    expect(strict.decode(codec.encode(hello))).toStrictEqual(hello);
    decodeFails(codec.encode(new Uint8Array(70_000)), 'frame-too-large', strict);
    decodeFails(
      new FrameWriter().array(1).recordDefinition(0, keyNames(65)).done(),
      'record-too-wide',
      strict,
    );
    const definitions = new FrameWriter().array(33);
    for (let index = 0; index < 33; index++) definitions.recordDefinition(index, [`key${index}`]);
    decodeFails(definitions.done(), 'too-many-records', strict);
    decodeFails(emptyArraysFrame(24_000), 'work-exceeded', strict);
    const budget = new DecodeBudget(handshakeDecodeBudget);
    const frame = codec.encode(Array.from({ length: 1000 }, (_, index) => `word ${index}`));
    let frames = 0;
    try {
      for (; frames < 10_000; frames++) strict.decode(frame, undefined, budget);
    } catch (error) {
      expect((error as DecodeError).code).toBe('budget-exhausted');
    }
    expect(frames * frame.length).toBeLessThan(handshakeDecodeBudget.work);
    expect(frames).toBeGreaterThan(10);
    expect(frames).toBeLessThan(10_000);
  });

  test('decodeLimitCodes lists the limit codes, so a session ends with limit for them and protocol otherwise', () => {
    expect([...decodeLimitCodes].sort()).toStrictEqual(
      [
        'bigint-too-large',
        'budget-exhausted',
        'collection-too-long',
        'frame-too-large',
        'record-too-wide',
        'string-too-long',
        'too-deep',
        'too-many-records',
        'work-exceeded',
      ].sort(),
    );
    expect(decodeLimitCodes.has('malformed')).toBe(false);
  });
});
